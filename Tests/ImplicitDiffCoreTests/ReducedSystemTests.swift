import Testing
import Synchronization
import ImplicitDiffCore
import ImplicitDiffTestSupport

// The core's linear-solve entry point for systems that modules reduce themselves (a
// Schur complement, a support block): `ImplicitLinearSystem(operator:...)`, with the
// structure the conditions give (`denseLimit`, `preconditioner`, a cheap `densified()`).
// One symmetric positive definite H (n = 40, cond ~ 10): solutions are compared with a
// dense Cholesky solve at 1e-9 relative (Krylov solves stop at 1e-12, so the error is
// ~1e-11; a wrong method or a missing preconditioner would still converge, so each
// test also checks what ran).

private let size = 40

private let spd: Matrix = {
    var rng = SplitMix64(seed: 5)
    let m = rng.matrix(size, size)
    return m * m.transposed / Double(size) + Matrix.identity(size)
}()

/// What an operator was asked to do.
private final class Counts: Sendable {
    let products = Mutex(0)
    let densifications = Mutex(0)
}

/// H known through products, counting them, with an optional cheap dense form.
private struct CountingOperator: AdjointableLinearOperator, Sendable {
    let matrix: Matrix
    let counts = Counts()
    let cheapDense: Bool
    var rowCount: Int { matrix.rows }
    var columnCount: Int { matrix.columns }
    func apply(_ v: Vector) -> Vector {
        counts.products.withLock { $0 += 1 }
        return matrix * v
    }
    func applyTransposed(_ v: Vector) -> Vector { apply(v) }
    func densified() -> Matrix {
        guard cheapDense else {
            var m = Matrix(rows: rowCount, columns: columnCount)
            for j in 0..<columnCount { m.setColumn(j, to: apply(.basis(j, count: columnCount))) }
            return m
        }
        counts.densifications.withLock { $0 += 1 }
        return matrix
    }
}

/// A Cholesky factorisation that measures its own residual (and says how often).
private struct MeasuringCholesky: Factorization {
    let base: CholeskyFactorization
    let matrix: Matrix
    let counts = Counts()
    var dimension: Int { base.dimension }
    func solve(_ b: Vector) -> Vector { base.solve(b) }
    func solveTransposed(_ b: Vector) -> Vector { base.solveTransposed(b) }
    func solve(_ b: Matrix) -> Matrix { base.solve(b) }
    func solveTransposed(_ b: Matrix) -> Matrix { base.solveTransposed(b) }
    func solveMeasuringResidual(_ b: Vector, transposed: Bool) -> (solution: Vector, relativeResidual: Double)? {
        counts.densifications.withLock { $0 += 1 }
        let z = transposed ? base.solveTransposed(b) : base.solve(b)
        return (z, (matrix * z - b).norm / b.norm)
    }
}

@Suite("The core's linear solve for reduced systems")
struct ReducedSystemTests {
    let rhs: Vector = {
        var rng = SplitMix64(seed: 9)
        return rng.vector(size)
    }()
    var expected: Vector { try! CholeskyFactorization(spd).solve(rhs) }

    @Test("a cheap densified() is what the direct solve factorises (no n products)")
    func cheapDenseForm() throws {
        let op = CountingOperator(matrix: spd, cheapDense: true)
        let system = try ImplicitLinearSystem(operator: op, isSymmetric: true, isPositiveDefinite: true, options: .init())
        #expect(system.method == "cholesky")
        #expect(op.counts.densifications.withLock { $0 } == 1)
        #expect(op.counts.products.withLock { $0 } == 0)
        let (z, report) = try system.solve(rhs)
        expectClose(z, expected, rtol: 1e-9, "direct")
        // One product: the residual the core recomputes after a factorised solve.
        #expect(op.counts.products.withLock { $0 } == 1)
        #expect(report.relativeResidual < 1e-12)
    }

    @Test("a factorisation that measures its own residual replaces the product with A")
    func measuringFactorization() throws {
        let op = CountingOperator(matrix: spd, cheapDense: true)
        let own = MeasuringCholesky(base: try CholeskyFactorization(spd), matrix: spd)
        let system = try ImplicitLinearSystem(
            ConditionsLinearization(a: op, b: Matrix(rows: size, columns: 0), factorizedA: own, isPositiveDefinite: true),
            options: .init())
        let (z, report) = try system.solve(rhs)
        let (zt, _) = try system.solveTransposed(rhs)
        expectClose(z, expected, rtol: 1e-9, "solve")
        expectClose(zt, expected, rtol: 1e-9, "transposed solve")
        #expect(op.counts.products.withLock { $0 } == 0)
        #expect(own.counts.densifications.withLock { $0 } == 2)
        #expect(report.relativeResidual < 1e-12)
    }

    @Test("the conditions' dense limit lowers .automatic's: positive definite above it runs CG")
    func conditionsDenseLimit() throws {
        let op = CountingOperator(matrix: spd, cheapDense: true)
        let options = ImplicitOptions(linearTolerance: 1e-12)
        let dense = try ImplicitLinearSystem(operator: op, isSymmetric: true, isPositiveDefinite: true,
                                             denseLimit: size, options: options)
        #expect(dense.method == "cholesky")
        let krylov = try ImplicitLinearSystem(operator: op, isSymmetric: true, isPositiveDefinite: true,
                                              denseLimit: size - 1, options: options)
        #expect(krylov.method == "cg")
        let symmetric = try ImplicitLinearSystem(operator: op, isSymmetric: true, denseLimit: size - 1, options: options)
        #expect(symmetric.method == "minres")
        let (z, _) = try krylov.solve(rhs)
        expectClose(z, expected, rtol: 1e-9, "cg")
        // The options' own limit still applies when it is the smaller one.
        var low = options
        low.denseLimit = 10
        let byOptions = try ImplicitLinearSystem(operator: op, isSymmetric: true, isPositiveDefinite: true,
                                                 denseLimit: size, options: low)
        #expect(byOptions.method == "cg")
    }

    @Test("the conditions' preconditioner runs when the options give none, and the options' wins")
    func conditionsPreconditioner() throws {
        let op = CountingOperator(matrix: spd, cheapDense: false)
        let calls = Mutex(0)
        let inverseDiagonal = Vector((0..<size).map { 1 / spd[$0, $0] })
        let own = ImplicitPreconditioner(apply: { r in
            calls.withLock { $0 += 1 }
            return r * inverseDiagonal
        })
        let options = ImplicitOptions(linearSolver: .cg, linearTolerance: 1e-12)
        let system = try ImplicitLinearSystem(operator: op, isSymmetric: true, isPositiveDefinite: true,
                                              preconditioner: own, options: options)
        let (z, report) = try system.solve(rhs)
        expectClose(z, expected, rtol: 1e-9, "preconditioned cg")
        #expect(report.method == "cg")
        let used = calls.withLock { $0 }
        #expect(used > 0)
        var withOwn = options
        withOwn.preconditioner = .jacobi(diagonal: Vector((0..<size).map { spd[$0, $0] }))
        let overridden = try ImplicitLinearSystem(operator: op, isSymmetric: true, isPositiveDefinite: true,
                                                  preconditioner: own, options: withOwn)
        _ = try overridden.solve(rhs)
        #expect(calls.withLock { $0 } == used)
    }

    @Test("a reduced system that does not converge is an error with its iterations and residual")
    func notConverging() throws {
        let op = CountingOperator(matrix: spd, cheapDense: false)
        let options = ImplicitOptions(linearSolver: .cg, linearTolerance: 1e-14, linearMaxIterations: 2)
        let system = try ImplicitLinearSystem(operator: op, isSymmetric: true, isPositiveDefinite: true, options: options)
        #expect {
            _ = try system.solve(rhs)
        } throws: { error in
            guard case ImplicitDifferentiationError.linearSolveFailed(KrylovError.notConverged(_, let iterations, _, _)) = error
            else { return false }
            return iterations == 2
        }
    }
}
