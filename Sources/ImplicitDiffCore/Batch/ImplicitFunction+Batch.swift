import _Differentiation

/// Batches of implicit functions: one solve per row, `jobs` at a time (``ConcurrentBatch``).
extension ImplicitFunction {
    /// `y(x_k)` for every `x_k` (row `k` of `xs`), solved concurrently; row `k` of the
    /// result is `y(x_k)`. Differentiable with respect to `xs`: the pullback runs the
    /// per-problem pullbacks (one implicit linear solve each, reusing each problem's
    /// factorisation) concurrently as well. This is the batched layer of a training
    /// step (qpth's and cvxpylayers' batch dimension):
    ///
    /// ```swift
    /// let layer = QuadraticProgram.layer(shape: shape)        // x -> z for one QP
    /// let g = gradient(at: X) { X in loss(layer.batched(X)) } // X: one QP per row
    /// ```
    ///
    /// Every solution must have the same length. Failures follow the rules of
    /// ``callAsFunction(_:)``: inside ``withCheckedDerivatives(_:)`` the first failure
    /// (in row order) is thrown by the scope, NaNs standing in meanwhile; outside it a
    /// failure stops the program. For per-problem errors use ``values(at:jobs:)``.
    @differentiable(reverse, wrt: xs)
    public func batched(_ xs: Matrix, jobs: Int = ConcurrentBatch.defaultJobs) -> Matrix {
        let results = values(at: Self.rows(of: xs), jobs: jobs)
        return Self.stack(results, rows: xs.rows, placeholderCount: placeholderCount(xs))
    }

    @derivative(of: batched, wrt: xs)
    public func _vjpBatched(_ xs: Matrix, jobs: Int) -> (value: Matrix, pullback: (Matrix) -> Matrix) {
        let n = xs.columns
        let linearised = ConcurrentBatch.map(Self.rows(of: xs), jobs: jobs) { x in
            let (y, d) = try self.derivative(at: x)
            return (y, UncheckedDerivative(d))
        }
        let values = linearised.map { r in r.map(\.0) }
        let y = Self.stack(values, rows: xs.rows, placeholderCount: placeholderCount(xs))
        let derivatives = linearised.map { r in (try? r.get())?.1 }
        return (y, { ybar in
            if ybar.scalars.isEmpty { return .zero }
            let cotangents = Array(zip(derivatives, Self.rows(of: ybar)))
            // Each row's derivative is used by one worker only.
            let gradients = ConcurrentBatch.map(cotangents.map(UncheckedPair.init), jobs: jobs) { pair -> Vector in
                guard let d = pair.derivative else { throw BatchRowFailed() }
                return try d.value.pullback(pair.cotangent)
            }
            var xbar = Matrix(rows: xs.rows, columns: n)
            for (k, g) in gradients.enumerated() {
                let row: Vector
                switch g {
                case let .success(v): row = v
                case let .failure(e):
                    // A row whose forward solve failed was reported by the value already.
                    row = e is BatchRowFailed ? Vector(repeating: .nan, count: n)
                                              : DerivativeFailures.fail(e, placeholderCount: n)
                }
                for j in 0..<n { xbar[k, j] = row[j] }
            }
            return xbar
        })
    }

    /// `y(x_k)` for every `x_k`, concurrently, each with its own error (throwing API).
    public func values(at xs: [Vector], jobs: Int = ConcurrentBatch.defaultJobs) -> [Result<Vector, any Error>] {
        ConcurrentBatch.map(xs, jobs: jobs) { x in try self.value(at: x) }
    }

    /// Values and reusable pullbacks for every `x_k`, concurrently (throwing API). The
    /// pullbacks may be called from any thread.
    public func valuesWithPullbacks(at xs: [Vector], jobs: Int = ConcurrentBatch.defaultJobs)
        -> [Result<(value: Vector, pullback: @Sendable (Vector) throws -> Vector), any Error>] {
        ConcurrentBatch.map(xs, jobs: jobs) { x in
            let (y, d) = try self.derivative(at: x)
            let box = UncheckedDerivative(d)
            return (y, { ybar in try box.value.pullback(ybar) })
        }
    }

    static func rows(of m: Matrix) -> [Vector] { (0..<m.rows).map { m.row($0) } }

    private func placeholderCount(_ xs: Matrix) -> Int {
        xs.rows > 0 ? (outputCount?(xs.row(0)) ?? xs.columns) : 0
    }

    /// Rows of solutions as a matrix; failures reported (``DerivativeFailures``) in row
    /// order, NaN rows in their place.
    static func stack(_ results: [Result<Vector, any Error>], rows: Int, placeholderCount: Int) -> Matrix {
        let width = results.lazy.compactMap { try? $0.get().count }.first ?? placeholderCount
        var y = Matrix(rows: rows, columns: width)
        for (k, r) in results.enumerated() {
            let row: Vector
            switch r {
            case let .success(v) where v.count == width: row = v
            case .success:
                row = DerivativeFailures.fail(ImplicitDifferentiationError.dimensionMismatch(
                    "row \(k) of the batch has a solution of another length than row 0"), placeholderCount: width)
            case let .failure(e): row = DerivativeFailures.fail(e, placeholderCount: width)
            }
            for j in 0..<width { y[k, j] = row[j] }
        }
        return y
    }
}

/// A row whose forward solve failed (already reported with the value).
struct BatchRowFailed: Error {}

/// An ``ImplicitDerivative`` handed from the worker that made it to the worker that uses
/// it: never used by two threads at once, so its caches need no lock.
struct UncheckedDerivative: @unchecked Sendable {
    let value: ImplicitDerivative
    init(_ value: ImplicitDerivative) { self.value = value }
}

/// A row's derivative (nil when its solve failed) and its cotangent.
struct UncheckedPair: @unchecked Sendable {
    let derivative: UncheckedDerivative?
    let cotangent: Vector
    init(_ pair: (UncheckedDerivative?, Vector)) { (derivative, cotangent) = pair }
}
