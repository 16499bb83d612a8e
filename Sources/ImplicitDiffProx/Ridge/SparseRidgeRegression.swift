/// Ridge regression over a sparse design, solved and differentiated matrix-free:
/// ```
/// w(X, y, lambda) = argmin_w  1/2 ||X w - y||^2 + lambda/2 ||w||^2,
/// A w = X'y,      A = X'X + lambda I      (symmetric positive definite)
/// ```
/// `A` is never formed: `A v = X'(X v) + lambda v` costs `O(nnz)`, and the solve is the
/// conjugate-gradient method preconditioned by `diag(A)_j = ||X e_j||^2 + lambda`
/// (Jacobi), followed by iterative refinement on the true residual `X'y - A w` while the
/// certificate is not met. Memory is `O(nnz + N + n)`: no `N x n` and no `n x n` array.
///
/// The parameters are `x = [values(X), y, lambda]`, `values(X)` the stored entries in
/// compressed-column order (explicit zeros included): a derivative with respect to `X`
/// lives on the stored pattern. The derivatives are those of ``RidgeRegression`` (the
/// implicit function theorem on `F = X'(X w - y) + lambda w = 0`):
/// ```
/// B [dX, dy, dlambda] = dX' r + X' dX w - X' dy + dlambda w,     r = X w - y
/// B' z = ( (r z' + (X z) w') on the pattern,  -X z,  z'w )
/// ```
/// with `A` solved by CG again (``SparseRidgeSolution/derivative(options:)``).
public struct SparseRidgeRegression: Sendable {
    /// The `N x n` design.
    public let design: SparseMatrix
    /// The `N` targets.
    public let targets: Vector
    /// The regularisation strength `lambda > 0`.
    public let lambda: Double

    /// Validates shapes, finiteness and `lambda > 0` (the errors of ``RidgeRegression``).
    public init(design: SparseMatrix, targets: Vector, lambda: Double) throws {
        guard design.rows == targets.count else {
            throw LinearAlgebraError.dimensionMismatch("X has \(design.rows) rows but y has \(targets.count) entries")
        }
        guard design.isFinite, targets.isFinite, lambda.isFinite else {
            throw LinearAlgebraError.nonFinite("ridge data")
        }
        guard lambda > 0 else { throw RidgeRegression.RidgeError.nonPositiveLambda(lambda) }
        self.design = design
        self.targets = targets
        self.lambda = lambda
    }

    /// The certificate threshold, ``RidgeRegression/certificateTolerance`` (`1e-9`).
    public static var certificateTolerance: Double { RidgeRegression.certificateTolerance }

    /// The certificate of `w`, the same quantity as ``RidgeRegression/certificate(at:)``:
    /// ```
    /// ||X'(X w - y) + lambda w||_2 / (||X||_F (||X||_F ||w||_2 + ||y||_2) + lambda ||w||_2)
    /// ```
    /// from the data and `w` alone (two sparse products).
    public func certificate(at w: Vector) -> Double {
        let numerator = gradientResidual(at: w).norm
        guard numerator != 0 || !numerator.isFinite else { return 0 }
        let xf = Vector(design.values).norm
        let scale = xf * (xf * w.norm + targets.norm) + lambda * w.norm
        return scale > 0 ? numerator / scale : .infinity
    }

    /// `X'(X w - y) + lambda w`.
    func gradientResidual(at w: Vector) -> Vector {
        var g = design.transposedTimes(design * w - targets)
        g.add(w, scaledBy: lambda)
        return g
    }

    /// `A = X'X + lambda I` as an operator (`O(nnz)` per product).
    public var normalOperator: FunctionOperator {
        let x = design, lambda = self.lambda
        let product: @Sendable (Vector) -> Vector = { v in
            var out = x.transposedTimes(x * v)
            out.add(v, scaledBy: lambda)
            return out
        }
        return FunctionOperator(rows: x.columns, columns: x.columns, apply: product, applyTransposed: product)
    }

    /// `diag(A) = (||X e_j||^2 + lambda)_j`.
    public var normalDiagonal: Vector {
        var d = DesignMatrix.sparse(design).columnSquaredNorms
        for j in 0..<d.count { d[j] += lambda }
        return d
    }

    /// Solves `(X'X + lambda I) w = X'y` by Jacobi-preconditioned CG to relative residual
    /// `relativeTolerance` (recurrence), then refines on the true residual (at most
    /// `refinements` more CG solves) until ``certificate(at:)`` is at most
    /// ``certificateTolerance``.
    ///
    /// - Parameters:
    ///   - relativeTolerance: CG's `||X'y - A w|| <= rtol ||X'y||`. Default `1e-12`.
    ///   - maxIterations: CG's cap per solve; default `10 n + 100`.
    /// - Throws: ``RidgeRegression/RidgeError/iterativeSolveFailed(_:)`` when CG stops at
    ///   its cap or breaks down; ``RidgeRegression/RidgeError/uncertified(gradient:tolerance:)``
    ///   when the refined answer still fails its certificate.
    public func solve(relativeTolerance: Double = 1e-12, maxIterations: Int? = nil, refinements: Int = 2) throws
        -> SparseRidgeSolution {
        let n = design.columns
        let a = normalOperator
        let preconditioner = JacobiPreconditioner(diagonal: normalDiagonal)
        let cg = ConjugateGradient(options: KrylovOptions(absoluteTolerance: 0, relativeTolerance: relativeTolerance,
                                                          maxIterations: maxIterations ?? (10 * n + 100),
                                                          recordHistory: false))
        var w = Vector.zeros(n)
        var rhs = design.transposedTimes(targets)
        var iterations = 0, certificate = 0.0
        for pass in 0...Swift.max(0, refinements) {
            let step: KrylovResult
            do { step = try cg.solve(a, rhs, initialGuess: nil, preconditioner: preconditioner) } catch {
                throw RidgeRegression.RidgeError.iterativeSolveFailed("\(error)")
            }
            iterations += step.iterations
            w.add(step.solution, scaledBy: 1)
            certificate = self.certificate(at: w)
            if certificate <= Self.certificateTolerance || pass == refinements { break }
            rhs = -1.0 * gradientResidual(at: w)   // X'y - A w, recomputed from the data
        }
        guard certificate <= Self.certificateTolerance else {
            throw RidgeRegression.RidgeError.uncertified(gradient: certificate, tolerance: Self.certificateTolerance)
        }
        return SparseRidgeSolution(problem: self, w: w, iterations: iterations, certificate: certificate)
    }

    /// `[values(X), y, lambda]`.
    public var packed: Vector { Vector(design.values + targets.scalars + [lambda]) }

    /// The problem on the same pattern from `[values(X), y, lambda]`.
    public func withPacked(_ x: Vector) throws -> SparseRidgeRegression {
        let m = design.nonZeroCount, n = design.rows
        guard x.count == m + n + 1 else {
            throw LinearAlgebraError.dimensionMismatch("packed sparse ridge parameters: \(x.count) entries for nnz = \(m), N = \(n)")
        }
        return try SparseRidgeRegression(design: design.withValues(Array(x.scalars[0..<m])),
                                         targets: x.slice(m..<(m + n)), lambda: x[m + n])
    }

    /// `x = [values(X), y, lambda] -> w` on this problem's pattern, as an
    /// `ImplicitFunction` (usable under Swift AD). `.automatic` linear solves are CG with
    /// the Jacobi preconditioner of the problem at hand (``SparseRidgeSolution/linearization``).
    public func layer(options: ImplicitOptions = .init()) -> ImplicitFunction<Void> {
        let template = self
        return ImplicitFunction(solver: { x in
            (try template.withPacked(x).solve().w, ())
        }, conditions: SparseRidgeConditions(template: template), options: options)
            .withOutputCount { _ in template.design.columns }
    }

    @available(*, deprecated, renamed: "layer(options:)")
    public func solutionMap(options: ImplicitOptions = .init()) -> ImplicitFunction<Void> {
        layer(options: options)
    }
}
