import _Differentiation

/// The outcome of ``checkGradient(of:at:directions:relativeStep:tolerance:seed:)``: the
/// gradient from Swift AD (the implicit derivative, for functions built on
/// ``ImplicitFunction``) against central differences of the function itself, direction
/// by direction.
public struct GradientCheckReport: Sendable, CustomStringConvertible {
    /// One direction `d` (unit length): `g'd` from the gradient and
    /// `(f(x + h d) - f(x - h d)) / 2h`.
    public struct Direction: Sendable {
        public var analytic: Double
        public var finiteDifference: Double
        /// `|analytic - finiteDifference| / max(||g||, |finiteDifference|)`.
        public var relativeError: Double
    }

    /// The gradient at `x`.
    public var gradient: Vector
    /// The step `h` used.
    public var step: Double
    /// Each direction checked.
    public var directions: [Direction]
    /// The tolerance on ``worstRelativeError``.
    public var tolerance: Double

    /// The largest relative error over the directions.
    public var worstRelativeError: Double { directions.map(\.relativeError).max() ?? 0 }
    /// Whether every direction agrees within the tolerance (and everything is finite).
    public var passed: Bool {
        gradient.isFinite && directions.allSatisfy { $0.relativeError.isFinite && $0.relativeError <= tolerance }
    }

    public var description: String {
        let rows = directions.enumerated().map { i, d in
            "  direction \(i): gradient \(d.analytic), central difference \(d.finiteDifference), relative error \(d.relativeError)"
        }
        return (["gradient check \(passed ? "passed" : "FAILED"): worst relative error \(worstRelativeError) "
                    + "(tolerance \(tolerance), step \(step), ||gradient|| \(gradient.norm))"] + rows).joined(separator: "\n")
    }
}

/// Checks the gradient of `f` at `x` against central differences along random unit
/// directions (and along every coordinate when `x` has at most `directions` entries).
///
/// For each unit direction `d`, `g'd` (with `g = gradient(at: x, of: f)`) is compared with
/// `(f(x + h d) - f(x - h d)) / (2h)`, `h = relativeStep * max(1, ||x||_inf)`; the error
/// is relative to `max(||g||, |difference|)`, the largest a directional derivative can be,
/// so a direction nearly orthogonal to `g` is not held to a relative accuracy it cannot
/// have. Central differences are exact for quadratics and carry an `O(h^2)` truncation
/// and `O(eps |f| / h)` rounding error otherwise: the default `h = 1e-6` and tolerance
/// `1e-5` suit a function solved to ~1e-12. Each direction costs two evaluations of `f`
/// (two solves, for an implicit function), so the check is for tests and debugging.
///
/// ```swift
/// let report = checkGradient(of: { u in layer(u).squaredNorm() }, at: u)
/// #expect(report.passed, "\(report)")
/// ```
public func checkGradient(of f: @differentiable(reverse) (Vector) -> Double, at x: Vector, directions: Int = 4,
                          relativeStep: Double = 1e-6, tolerance: Double = 1e-5, seed: UInt64 = 1) -> GradientCheckReport {
    let g = gradient(at: x, of: f).materialized(count: x.count)
    let n = x.count
    let h = relativeStep * Swift.max(1, x.maxNorm)
    var unitDirections = [Vector]()
    if n <= directions {
        unitDirections = (0..<n).map { Vector.basis($0, count: n) }
    } else {
        var state = seed
        for _ in 0..<directions {
            var d = Vector((0..<n).map { _ in
                // SplitMix64 step, mapped to [-1, 1).
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                return Double(z >> 11) / Double(1 << 52) - 1
            })
            d = (1 / d.norm) * d
            unitDirections.append(d)
        }
    }
    let checked = unitDirections.map { d -> GradientCheckReport.Direction in
        let analytic = g.dot(d)
        let difference = (f(x + h * d) - f(x - h * d)) / (2 * h)
        let scale = Swift.max(g.norm, abs(difference), .leastNormalMagnitude)
        return .init(analytic: analytic, finiteDifference: difference, relativeError: abs(analytic - difference) / scale)
    }
    return GradientCheckReport(gradient: g, step: h, directions: checked, tolerance: tolerance)
}
