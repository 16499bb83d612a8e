/// The check of a returned root, made **at the root itself** from `F(x, y)` and the
/// factorised Jacobian `A = dF/dy(x, y)`, independently of how the iteration got there:
/// ```
/// d = -A^-1 F(x, y)                                 the Newton correction at y
/// relativeStep     = max_i |d_i| / max(|y_i|, typ)   typ = NewtonOptions.typicalMagnitude
/// relativeResidual = max_i |F_i| / (|A| |y|)_i       componentwise backward error
/// ```
/// `relativeStep` is the first-order estimate of the relative error of each component of
/// `y` (the distance to the root is `d + O(|d|^2)`); it is invariant to the scaling of the
/// equations (`F -> S F`) and of the unknowns when `typ` is 0, and it is what decides
/// convergence: ``NewtonConvergence/stepTolerance`` means `relativeStep <= stepTolerance`.
/// `relativeResidual` is the relative size of each equation's residual against the terms
/// `|a_ij| |y_j|` that make it up: near `ulp` when `F(x, y)` is rounding noise. It does
/// **not** measure the error of `y` (at `n = 10^7` Bratu's residual is rounding noise for
/// iterates whose error is `1e-3`: the condition number grows like `n^2`), which is why it
/// is reported but not used to accept.
///
/// A `0 / 0` ratio (`y_i = 0` with `d_i = 0`, or `F_i = 0` with zero scale) counts as 0.
public struct NewtonCertificate: Sendable, Equatable {
    /// `max_i |d_i| / max(|y_i|, typicalMagnitude)` for the Newton correction `d` at the
    /// returned `y`; `nil` when `A` could not be factorised there (a root accepted by an
    /// absolute ``NewtonOptions/residualTolerance`` where `A` is singular).
    public var relativeStep: Double?
    /// `max_i |F_i| / (|A| |y|)_i` at the returned `y`.
    public var relativeResidual: Double
    /// The tolerance `relativeStep` was compared with (``NewtonOptions/stepTolerance``).
    public var stepTolerance: Double

    /// A certificate with the given figures.
    public init(relativeStep: Double?, relativeResidual: Double, stepTolerance: Double) {
        self.relativeStep = relativeStep
        self.relativeResidual = relativeResidual
        self.stepTolerance = stepTolerance
    }
}

extension NewtonCertificate {
    /// `max_i |d_i| / max(|y_i|, typ)` (0 for `0 / 0`, infinity for `d_i != 0` over 0).
    static func relativeStep(_ d: Vector, y: Vector, typicalMagnitude typ: Double) -> Double {
        let n = d.count
        return d.scalars.withUnsafeBufferPointer { d in
            y.scalars.withUnsafeBufferPointer { y in
                var worst = 0.0
                for i in 0..<n {
                    let di = abs(d[i])
                    if di == 0 { continue }
                    let s = Swift.max(abs(y[i]), typ)
                    let r = s > 0 ? di / s : .infinity
                    worst = r > worst ? r : worst
                }
                return worst
            }
        }
    }

    /// `max_i |F_i| / (|A| |y|)_i` (0 for `0 / 0`, infinity for `F_i != 0` over 0).
    static func relativeResidual<J: JacobianMatrix>(_ f: Vector, jacobian a: J, y: Vector) -> Double {
        let scale = a.absoluteProduct(y.map { abs($0) })
        var worst = 0.0
        for i in 0..<f.count {
            let fi = abs(f[i])
            if fi == 0 { continue }
            let r = scale[i] > 0 ? fi / scale[i] : .infinity
            worst = Swift.max(worst, r)
        }
        return worst
    }
}
