/// Checks and bookkeeping shared by the Krylov methods. Not API.
///
/// Every method runs the same preamble (shapes, finiteness, `b = 0`, warm start) and the
/// same epilogue (result or ``KrylovError/notConverged(method:iterations:residual:relativeResidual:)``);
/// keeping them here makes the methods' files contain only their recurrences.
enum KrylovSupport {
    /// The validated start of a square solve: `x0`, `r0 = b - A x0` and the threshold.
    struct Start {
        var x: Vector
        var r: Vector
        var residualNorm: Double
        let rightHandSideNorm: Double
        let threshold: Double
    }

    /// What the preamble decided: iterate from `start`, or return `result` at once.
    enum Preamble {
        case iterate(Start)
        case done(KrylovResult)
    }

    /// `A v`, checked to have `expected` entries (an empty result is read as zeros).
    static func apply<Operator: LinearOperator>(_ a: Operator, _ v: Vector, expected: Int) throws -> Vector {
        let y = a.apply(v).materialized(count: expected)
        guard y.count == expected else {
            throw KrylovError.dimensionMismatch("operator returned \(y.count) entries, expected \(expected)")
        }
        return y
    }

    /// `A' v`, checked to have `expected` entries (an empty result is read as zeros).
    static func applyTransposed<Operator: AdjointableLinearOperator>(_ a: Operator, _ v: Vector,
                                                                     expected: Int) throws -> Vector {
        let y = a.applyTransposed(v).materialized(count: expected)
        guard y.count == expected else {
            throw KrylovError.dimensionMismatch("transposed operator returned \(y.count) entries, expected \(expected)")
        }
        return y
    }

    /// `M^-1 r`, checked to keep the length of `r`.
    static func applyPreconditioner(_ m: any Preconditioner, _ r: Vector) throws -> Vector {
        let z = m.apply(r).materialized(count: r.count)
        guard z.count == r.count else {
            throw KrylovError.dimensionMismatch("preconditioner returned \(z.count) entries, expected \(r.count)")
        }
        return z
    }

    /// The common preamble of the square methods (CG, MINRES, GMRES, BiCGStab).
    ///
    /// Throws ``KrylovError/dimensionMismatch(_:)`` unless `A` is `n x n` with `b` and the
    /// initial guess of length `n`, and ``KrylovError/nonFinite(method:iteration:)`` (iteration 0)
    /// when `b`, `x0` or `r0` holds NaN or infinity. Returns a finished result when `b = 0`
    /// (`x = 0`, ``KrylovStatus/zeroRightHandSide``) or when `||r0|| <= atol + rtol ||b||`.
    static func begin<Operator: LinearOperator>(method: String, _ a: Operator, _ b: Vector,
                                                initialGuess: Vector?, options: KrylovOptions) throws -> Preamble {
        let n = a.columnCount
        guard a.rowCount == n else {
            throw KrylovError.dimensionMismatch("\(method) needs a square operator, got \(a.rowCount) x \(n)")
        }
        guard b.count == n else {
            throw KrylovError.dimensionMismatch("\(method): operator of order \(n), right-hand side of length \(b.count)")
        }
        if let x0 = initialGuess, x0.count != n, !(x0.scalars.isEmpty && n > 0) {
            throw KrylovError.dimensionMismatch("\(method): operator of order \(n), initial guess of length \(x0.count)")
        }
        let bNorm = b.norm
        guard bNorm.isFinite else { throw KrylovError.nonFinite(method: method, iteration: 0) }
        if bNorm == 0 {
            return .done(KrylovResult(solution: .zeros(n), status: .zeroRightHandSide, iterations: 0,
                                      residualNorm: 0, relativeResidual: 0,
                                      residualHistory: options.recordHistory ? [0] : []))
        }
        let threshold = options.threshold(rightHandSideNorm: bNorm)
        var x = Vector.zeros(n)
        var r = b
        if let x0 = initialGuess {
            x = x0.materialized(count: n)
            guard x.isFinite else { throw KrylovError.nonFinite(method: method, iteration: 0) }
            r.add(try apply(a, x, expected: n), scaledBy: -1)
        }
        let rNorm = r.norm
        guard rNorm.isFinite else { throw KrylovError.nonFinite(method: method, iteration: 0) }
        if rNorm <= threshold {
            return .done(KrylovResult(solution: x, status: initialGuess == nil ? .converged : .initialGuessAccepted,
                                      iterations: 0, residualNorm: rNorm, relativeResidual: rNorm / bNorm,
                                      residualHistory: options.recordHistory ? [rNorm] : []))
        }
        return .iterate(Start(x: x, r: r, residualNorm: rNorm, rightHandSideNorm: bNorm, threshold: threshold))
    }

    /// The error thrown when the iteration cap is reached.
    static func notConverged(method: String, iterations: Int, residual: Double,
                             rightHandSideNorm: Double) -> KrylovError {
        .notConverged(method: method, iterations: iterations, residual: residual,
                      relativeResidual: rightHandSideNorm > 0 ? residual / rightHandSideNorm : 0)
    }
}
