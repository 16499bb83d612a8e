import ImplicitDiffCore
@_exported import ImplicitDiffTestSupport  // the shared SplitMix64, for every file of this target
import Testing

/// Seeds every randomised test loops over.
let testSeeds: [UInt64] = [1, 2, 3]

/// Seeded random test data.
enum TestData {
    /// Entries uniform in [-1, 1].
    static func vector(_ n: Int, _ rng: inout SplitMix64) -> Vector {
        Vector((0..<n).map { _ in Double.random(in: -1...1, using: &rng) })
    }

    /// Entries uniform in [-1, 1].
    static func matrix(_ rows: Int, _ columns: Int, _ rng: inout SplitMix64) -> Matrix {
        Matrix(rows: rows, columns: columns,
               scalars: (0..<(rows * columns)).map { _ in Double.random(in: -1...1, using: &rng) })
    }

    /// `B'B / n + I`: symmetric positive definite with eigenvalues in [1, ~5].
    static func spd(_ n: Int, _ rng: inout SplitMix64) -> Matrix {
        let b = matrix(n, n, &rng)
        return (1.0 / Double(n)) * Matrix.product(b, transposed: true, b, transposed: false) + Matrix.identity(n)
    }

    /// `D S D` for SPD `S` and `D = diag(1 ... 100)` (linear ramp): SPD with a diagonal that
    /// spans four decades, the case Jacobi preconditioning is made for.
    static func badlyScaledSPD(_ n: Int, _ rng: inout SplitMix64) -> Matrix {
        let s = spd(n, &rng)
        let d = Vector((0..<n).map { i in 1 + 99 * Double(i) / Double(Swift.max(n - 1, 1)) })
        return Matrix.diagonal(d) * s * Matrix.diagonal(d)
    }

    /// Symmetric indefinite: `Q diag(lambda) Q'` with half of the eigenvalues in [1, 3] and
    /// half in [-3, -1] (Q orthogonal, from a QR of a random matrix), so well conditioned.
    static func symmetricIndefinite(_ n: Int, _ rng: inout SplitMix64) throws -> Matrix {
        let q = try orthogonal(n, &rng)
        let lambda = Vector((0..<n).map { i in
            (i % 2 == 0 ? 1.0 : -1.0) * Double.random(in: 1...3, using: &rng)
        })
        return q * Matrix.diagonal(lambda) * q.transposed
    }

    /// `I + 0.3 B / sqrt(n)` for random `B`: non-symmetric, eigenvalues clustered around 1.
    static func nonsymmetric(_ n: Int, _ rng: inout SplitMix64) -> Matrix {
        Matrix.identity(n) + (0.3 / Double(n).squareRoot()) * matrix(n, n, &rng)
    }

    /// A random orthogonal matrix: `Q` from a QR factorisation, formed as `Q = A R^-1`.
    static func orthogonal(_ n: Int, _ rng: inout SplitMix64) throws -> Matrix {
        let a = matrix(n, n, &rng)
        let qr = try QRFactorization(a)
        return qr.orthogonalFactor
    }

    /// The diagonal of a square matrix.
    static func diagonal(_ a: Matrix) -> Vector { Vector((0..<a.rows).map { a[$0, $0] }) }
}

/// `||b - A x|| / (||A||_F ||x|| + ||b||)`: the normwise backward error of `x`. A
/// backward-stable direct solve makes it a modest multiple of `n * ulp`, whatever the
/// condition number of `A`; that is why tests bound it by `1e-12` for `n <= 60`.
func backwardError(_ a: Matrix, _ x: Vector, _ b: Vector) -> Double {
    let r = b - a * x
    let aNorm = Vector(a.scalars).norm
    return r.norm / (aNorm * x.norm + b.norm)
}

/// `||b - A x||`, computed afresh (not the method's recurrence).
func trueResidual(_ a: Matrix, _ x: Vector, _ b: Vector) -> Double { (b - a * x).norm }

/// Expects `||observed - expected|| <= tolerance * ||expected||`, printing both and the error.
func expectClose(_ observed: Vector, _ expected: Vector, relativeTolerance tolerance: Double,
                 _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    let error = (observed - expected).norm / Swift.max(expected.norm, .leastNormalMagnitude)
    #expect(error <= tolerance,
            "relative error \(error) > \(tolerance)\(comment.map { ": \($0)" } ?? "")\nexpected \(expected)\nobserved \(observed)",
            sourceLocation: sourceLocation)
}

/// Expects a Krylov result to satisfy its own stopping rule when checked with a freshly
/// computed residual. The recurrence residual drifts from the true one by rounding, about
/// `ulp * ||A|| ||x||` per iteration, so the true residual is allowed `slack` times the threshold.
func expectSolves(_ result: KrylovResult, _ a: Matrix, _ b: Vector, options: KrylovOptions, slack: Double = 10,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    let threshold = options.threshold(rightHandSideNorm: b.norm)
    let r = trueResidual(a, result.solution, b)
    #expect(result.residualNorm <= threshold, "reported residual \(result.residualNorm) > threshold \(threshold)",
            sourceLocation: sourceLocation)
    #expect(r <= slack * threshold, "true residual \(r) > \(slack) x threshold \(threshold)",
            sourceLocation: sourceLocation)
}

/// Tight options for comparisons against direct solves: `||r|| <= 1e-12 ||b||`.
let tightOptions = KrylovOptions(absoluteTolerance: 0, relativeTolerance: 1e-12)

// MARK: - Checks shared by every square Krylov method

/// `b = 0` gives `x = 0`, no iteration and status `.zeroRightHandSide`, even from a warm start.
func checkZeroRightHandSide<Solver: KrylovSolver>(_ solver: Solver, _ a: Matrix, _ guess: Vector,
                                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
    let result = try solver.solve(a, .zeros(a.rows), initialGuess: guess, preconditioner: nil)
    #expect(result.status == .zeroRightHandSide, sourceLocation: sourceLocation)
    #expect(result.solution == .zeros(a.rows), sourceLocation: sourceLocation)
    #expect(result.iterations == 0, sourceLocation: sourceLocation)
    #expect(result.residualNorm == 0 && result.relativeResidual == 0, sourceLocation: sourceLocation)
}

/// The exact solution is accepted without iterating; a perturbed one converges in fewer
/// iterations than a cold start.
func checkWarmStart<Solver: KrylovSolver>(_ solver: Solver, _ a: Matrix, _ b: Vector, exact: Vector,
                                          _ rng: inout SplitMix64,
                                          sourceLocation: SourceLocation = #_sourceLocation) throws {
    let accepted = try solver.solve(a, b, initialGuess: exact, preconditioner: nil)
    #expect(accepted.status == .initialGuessAccepted, sourceLocation: sourceLocation)
    #expect(accepted.iterations == 0, sourceLocation: sourceLocation)
    #expect(accepted.solution == exact, sourceLocation: sourceLocation)

    let nearby = exact + 1e-4 * exact.norm / Double(b.count).squareRoot() * TestData.vector(b.count, &rng)
    let warm = try solver.solve(a, b, initialGuess: nearby, preconditioner: nil)
    let cold = try solver.solve(a, b)
    #expect(warm.status == .converged, sourceLocation: sourceLocation)
    expectSolves(warm, a, b, options: solver.options, sourceLocation: sourceLocation)
    #expect(warm.iterations < cold.iterations, "warm \(warm.iterations), cold \(cold.iterations)",
            sourceLocation: sourceLocation)
    if let first = warm.residualHistory.first {
        #expect(first < 1e-2 * b.norm, sourceLocation: sourceLocation)
    }
}

/// A solver capped at `cap` iterations throws `notConverged` naming the method, the iteration
/// count and the residual, with a consistent relative residual.
func checkNotConverged<Solver: KrylovSolver>(_ solver: Solver, _ a: Matrix, _ b: Vector, cap: Int,
                                             sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try solver.solve(a, b)
        Issue.record("expected notConverged", sourceLocation: sourceLocation)
    } catch let error as KrylovError {
        guard case let .notConverged(method, iterations, residual, relative) = error else {
            Issue.record("expected notConverged, got \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(method == Solver.name, sourceLocation: sourceLocation)
        #expect(iterations == cap, sourceLocation: sourceLocation)
        #expect(residual > 0 && residual.isFinite, sourceLocation: sourceLocation)
        // Same quotient computed twice: equal up to one rounding.
        #expect(abs(relative - residual / b.norm) <= 4 * Double.ulpOfOne * relative, sourceLocation: sourceLocation)
        let message = error.description
        #expect(message.contains(Solver.name) && message.contains("\(cap) iterations") && message.contains("\(residual)"),
                "message: \(message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// NaN in `b` throws `nonFinite` at iteration 0; NaN in the operator throws `nonFinite` later;
/// a wrong length throws `dimensionMismatch`.
func checkInvalidInput<Solver: KrylovSolver>(_ solver: Solver, _ a: Matrix, _ rng: inout SplitMix64,
                                             sourceLocation: SourceLocation = #_sourceLocation) {
    let n = a.rows
    var b = TestData.vector(n, &rng)
    b[n / 2] = .nan
    #expect(throws: KrylovError.nonFinite(method: Solver.name, iteration: 0), sourceLocation: sourceLocation) {
        _ = try solver.solve(a, b)
    }
    let poisoned = FunctionOperator(rows: n, columns: n, apply: { v in
        var y = a * v
        y[0] = .nan
        return y
    })
    #expect(sourceLocation: sourceLocation) {
        _ = try solver.solve(poisoned, TestData.vector(n, &rng))
    } throws: { error in
        if case .nonFinite(Solver.name, _)? = error as? KrylovError { return true }
        return false
    }
    #expect(sourceLocation: sourceLocation) {
        _ = try solver.solve(a, .zeros(n + 1))
    } throws: { error in
        if case .dimensionMismatch? = error as? KrylovError { return true }
        return false
    }
}
