import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffSinkhorn

// Derivatives of plan, potentials and cost against two independent references:
// * central finite differences of tightly solved problems (tol 1e-14), step
//   h = 1e-4 eps relative to unit directions, so truncation (h/eps)^2 ~ 1e-8 and the
//   solver's error divided by h stays below 1e-8 relative: compared at 1e-6 relative
//   (1e-5 at eps = 1e-3 max C, where third derivatives grow like 1/eps^2);
// * Swift AD through 400 unrolled Sinkhorn iterations (converged to rounding at these
//   sizes, checked below): the derivative of a converged fixed-point iteration equals
//   the implicit one up to rounding amplified by the conditioning: compared at 1e-9.
// The implicit path is the only one available: the forward solver works on raw arrays
// and is opaque to Swift AD.

struct DerivativeCase: CustomTestStringConvertible, Sendable {
    let name: String
    let data: TransportData
    let rtol: Double
    var testDescription: String { name }
}

extension TransportData: @unchecked Sendable {}

let derivativeCases: [DerivativeCase] = [
    DerivativeCase(name: "C 5x4 eps 0.1", data: randomCostData(n: 5, m: 4, epsilon: 0.1, seed: 21), rtol: 1e-6),
    DerivativeCase(name: "C 4x7 eps 0.05 (n < m)", data: randomCostData(n: 4, m: 7, epsilon: 0.05, seed: 22), rtol: 1e-6),
    DerivativeCase(name: "C 6x10 eps 0.001 (small)", data: randomCostData(n: 6, m: 10, epsilon: 0.001, seed: 23), rtol: 1e-5),
    DerivativeCase(name: "points 7x5 in 2-D eps 0.05", data: randomPointData(n: 7, m: 5, epsilon: 0.05, seed: 24), rtol: 1e-6),
    DerivativeCase(name: "points 4x6 in 3-D eps 0.02", data: randomPointData(n: 4, m: 6, d: 3, epsilon: 0.02, seed: 25), rtol: 1e-6),
]

@Suite("Sinkhorn derivatives")
struct SinkhornDerivativeTests {
    @Test(arguments: derivativeCases)
    func pushforwardAndPullbackMatchFiniteDifferences(_ c: DerivativeCase) throws {
        let data = c.data
        let s = try data.solve()
        let d = try s.derivative()
        var rng = SplitMix64(seed: 99)
        let n = data.a.count, m = data.b.count
        for _ in 0..<2 {
            let t = data.randomTangent(&rng)
            let fd = try data.finiteDifference(along: t, h: 1e-4 * data.epsilon)
            let (jvp, report) = try d.pushforwardWithReport(t)
            expectClose(jvp.plan, fd.plan, rtol: c.rtol, "\(c.name): dP")
            expectClose(jvp.f, fd.f, rtol: c.rtol, "\(c.name): df")
            expectClose(jvp.g, fd.g, rtol: c.rtol, "\(c.name): dg")
            expectClose(jvp.cost, fd.cost, rtol: c.rtol, "\(c.name): d cost")
            #expect(report.method == "cholesky" && report.relativeResidual < 1e-12)
            #expect(abs(jvp.g.sum()) <= 1e-12 * jvp.g.maxNorm, "gauge sum(dg) = 0")
            // Reverse mode: <pullback(w), t> = <w, J t>, with J t from finite differences.
            let w = randomCotangent(n: n, m: m, &rng)
            let grad = try d.pullback(w)
            expectClose(inner(grad, t), inner(w, fd), rtol: c.rtol, "\(c.name): <pullback(w), t>")
            // And exactly the adjoint of the pushforward.
            expectClose(inner(grad, t), inner(w, jvp), rtol: 1e-11, "\(c.name): adjoint identity")
        }
    }

    @Test(arguments: [(5, 4, UInt64(31)), (3, 6, 32)])
    func pullbackMatchesSwiftADThroughUnrolledSinkhorn(n: Int, m: Int, seed: UInt64) throws {
        let data = randomCostData(n: n, m: m, epsilon: 0.1, seed: seed)
        let s = try data.solve()
        let unrolled = unrolledPotentials(data, iterations: 400)
        expectClose(unrolled.f, s.f, rtol: 1e-12, "unrolled f converged")
        expectClose(unrolled.g, s.g, rtol: 1e-12, "unrolled g converged")
        var rng = SplitMix64(seed: seed + 1)
        let w = randomCotangent(n: n, m: m, &rng)
        let theta = packParameters(data)
        let reference = gradient(at: theta) { theta in unrolledLoss(theta, n: n, m: m, iterations: 400, cotangent: w) }
        let grad = try s.derivative().pullback(w)
        expectClose(grad.costMatrix.flattened, reference.entries(0..<(n * m)), rtol: 1e-9, "dL/dC")
        expectClose(grad.a, reference.entries((n * m)..<(n * m + n)).projectedToZeroSum(), rtol: 1e-9, "dL/da (projected)")
        expectClose(grad.b, reference.entries((n * m + n)..<(n * m + n + m)).projectedToZeroSum(), rtol: 1e-9, "dL/db (projected)")
        expectClose(grad.epsilon, reference[n * m + n + m], rtol: 1e-9, "dL/d eps")
    }

    @Test func costGradientIsTheEnvelopeAndNeedsNoSolve() throws {
        for data in [randomCostData(n: 6, m: 5, epsilon: 0.05, seed: 41), randomPointData(n: 5, m: 7, epsilon: 0.05, seed: 42)] {
            let s = try data.solve()
            let g = s.costGradient
            expectClose(g.costMatrix, s.plan, rtol: 0, "d cost/dC = P")
            // Same as the general pullback with a cost-only cotangent (zero right-hand side).
            let (viaPullback, report) = try s.derivative().pullbackWithReport(SinkhornOutputTangent(cost: 1))
            #expect(report.iterations == 0)
            expectClose(viaPullback.a, g.a, rtol: 1e-14, "a")
            expectClose(viaPullback.costMatrix, g.costMatrix, rtol: 1e-14, "C")
            expectClose(viaPullback.x, g.x, rtol: 1e-14, "x")
            // And finite differences of the cost along random directions.
            var rng = SplitMix64(seed: 43)
            for _ in 0..<2 {
                let t = data.randomTangent(&rng)
                let fd = try data.finiteDifference(along: t, h: 1e-4 * data.epsilon)
                expectClose(inner(g, t), fd.cost, rtol: 1e-7, "d cost along t")
            }
        }
    }

    @Test func pointCloudGradientMatchesFiniteDifferencesEntrywise() throws {
        let data = randomPointData(n: 4, m: 3, epsilon: 0.05, seed: 51)
        let s = try data.solve()
        var rng = SplitMix64(seed: 52)
        let w = randomCotangent(n: 4, m: 3, &rng)
        let grad = try s.derivative().pullback(w)
        // Every coordinate of x and y separately.
        for (which, matrix) in [("x", data.x!), ("y", data.y!)] {
            var fd = Matrix(rows: matrix.rows, columns: matrix.columns)
            for k in 0..<matrix.scalars.count {
                var e = Matrix(rows: matrix.rows, columns: matrix.columns)
                e.scalars[k] = 1
                let t = which == "x" ? SinkhornParameterTangent(x: e) : SinkhornParameterTangent(y: e)
                fd.scalars[k] = inner(w, try data.finiteDifference(along: t, h: 1e-6))
            }
            expectClose(which == "x" ? grad.x : grad.y, fd, rtol: 1e-6, "dL/d\(which)")
        }
    }

    /// Every Krylov choice runs as asked on the reduced system (the core's solve: it used
    /// to become CG whatever was asked) and agrees with the Cholesky derivative.
    @Test(arguments: [(30, 25, LinearSolverChoice.cg), (25, 30, .cg), (30, 25, .minres), (25, 30, .gmres), (30, 25, .bicgstab)])
    func krylovMatchesCholesky(n: Int, m: Int, choice: LinearSolverChoice) throws {
        let data = randomPointData(n: n, m: m, epsilon: 0.02, seed: UInt64(n * m))
        let s = try data.solve()
        let dense = try s.derivative(options: ImplicitOptions(linearSolver: .direct))
        let iterative = try s.derivative(options: ImplicitOptions(linearSolver: choice, linearTolerance: 1e-12))
        #expect(dense.method == "cholesky" && iterative.method == choice.rawValue)
        var rng = SplitMix64(seed: 61)
        let w = randomCotangent(n: n, m: m, &rng)
        let (gd, _) = try dense.pullbackWithReport(w)
        let (gi, report) = try iterative.pullbackWithReport(w)
        #expect(report.iterations > 0 && report.relativeResidual <= 1e-12)
        // CG stops at 1e-12 relative residual; the solutions then agree to ~cond * 1e-12.
        expectClose(gi.x, gd.x, rtol: 1e-8, "x")
        expectClose(gi.a, gd.a, rtol: 1e-8, "a")
        expectClose(gi.epsilon, gd.epsilon, rtol: 1e-8, "eps")
        let t = data.randomTangent(&rng)
        expectClose(try iterative.pushforward(t).plan, try dense.pushforward(t).plan, rtol: 1e-8, "dP")
    }

    @Test func jacobianByColumnsEqualsJacobianByRows() throws {
        // d(f, g)/da: columns by pushforward of projected basis vectors, rows by pullback.
        let data = randomCostData(n: 4, m: 3, epsilon: 0.1, seed: 71)
        let d = try data.solve().derivative()
        var byColumns = Matrix(rows: 7, columns: 4), byRows = Matrix(rows: 7, columns: 4)
        for k in 0..<4 {
            let out = try d.pushforward(SinkhornParameterTangent(a: Vector.basis(k, count: 4).projectedToZeroSum()))
            byColumns.setColumn(k, to: out.f.concatenated(with: out.g))
        }
        for i in 0..<7 {
            let e = Vector.basis(i, count: 7)
            let grad = try d.pullback(SinkhornOutputTangent(f: e.slice(0..<4), g: e.slice(4..<7)))
            for k in 0..<4 { byRows[i, k] = grad.a[k] }
        }
        expectClose(byColumns, byRows, rtol: 1e-11, "Jacobian d(f, g)/da")
        // Against finite differences, column by column.
        for k in 0..<4 {
            let fd = try data.finiteDifference(along: SinkhornParameterTangent(a: Vector.basis(k, count: 4).projectedToZeroSum()), h: 1e-5)
            expectClose(byColumns.column(k), fd.f.concatenated(with: fd.g), rtol: 1e-6, "column \(k)")
        }
    }

    @Test func cotangentsAlongTheGaugeAreIgnored() throws {
        // sum(g) = 0 is fixed, so adding a constant to gbar does not change the loss.
        let data = randomCostData(n: 5, m: 6, epsilon: 0.05, seed: 81)
        let d = try data.solve().derivative()
        var rng = SplitMix64(seed: 82)
        let w = randomCotangent(n: 5, m: 6, &rng)
        var shifted = w
        shifted.g = w.g + 0.7
        let g1 = try d.pullback(w), g2 = try d.pullback(shifted)
        expectClose(g2.costMatrix, g1.costMatrix, rtol: 1e-11, "C")
        expectClose(g2.a, g1.a, rtol: 1e-11, "a")
        expectClose(g2.epsilon, g1.epsilon, rtol: 1e-11, "eps")
    }

    @Test func wrongShapesThrow() throws {
        let d = try randomCostData(n: 3, m: 2, epsilon: 0.1, seed: 91).solve().derivative()
        #expect(throws: SinkhornError.self) { _ = try d.pullback(SinkhornOutputTangent(f: [1, 2])) }
        #expect(throws: SinkhornError.self) { _ = try d.pushforward(SinkhornParameterTangent(costMatrix: Matrix(rows: 2, columns: 2))) }
        #expect(throws: SinkhornError.self) { _ = try d.pushforward(SinkhornParameterTangent(x: Matrix(rows: 3, columns: 1))) }
        #expect(throws: ImplicitDifferentiationError.self) { _ = try d.pullback(SinkhornOutputTangent(f: [1, .nan, 0])) }
    }
}

@Suite("Sinkhorn conditions on the core's generic path")
struct SinkhornConditionsTests {
    // The generic path factorises the full (n + m) system densely with the gauge term
    // sum(g) 1; the Schur-complement path must give the same derivative (both exact up
    // to rounding amplified by the conditioning: 1e-9).
    @Test(arguments: [(5, 4, UInt64(131)), (3, 6, 132)])
    func schurComplementPathMatchesGenericPath(n: Int, m: Int, seed: UInt64) throws {
        let data = randomCostData(n: n, m: m, epsilon: 0.05, seed: seed)
        let s = try data.solve()
        let x = packParameters(data), y = s.f.concatenated(with: s.g)
        let generic = try ImplicitDerivative(conditions: SinkhornConditions(rows: n, columns: m), x: x, y: y, byproduct: ())
        #expect(generic.conditionResidual < 1e-12)
        let schur = try s.derivative()
        var rng = SplitMix64(seed: seed + 7)
        let w = rng.vector(n + m)
        let viaGeneric = try generic.pullback(w)
        let viaSchur = try schur.pullback(SinkhornOutputTangent(f: w.slice(0..<n), g: w.slice(n..<(n + m))))
        expectClose(viaSchur.costMatrix.flattened, viaGeneric.slice(0..<(n * m)), rtol: 1e-9, "C")
        expectClose(viaSchur.a, viaGeneric.slice((n * m)..<(n * m + n)).projectedToZeroSum(), rtol: 1e-9, "a")
        expectClose(viaSchur.b, viaGeneric.slice((n * m + n)..<(n * m + n + m)).projectedToZeroSum(), rtol: 1e-9, "b")
        expectClose(viaSchur.epsilon, viaGeneric[n * m + n + m], rtol: 1e-9, "eps")
        let t = data.randomTangent(&rng)
        let dx = t.costMatrix.flattened.concatenated(with: t.a).concatenated(with: t.b).concatenated(with: [t.epsilon])
        let forward = try schur.pushforward(t)
        expectClose(forward.f.concatenated(with: forward.g), try generic.pushforward(dx), rtol: 1e-9, "pushforward")
    }

    @Test func potentialsLayerUnderSwiftAD() throws {
        let data = randomCostData(n: 4, m: 3, epsilon: 0.1, seed: 141)
        let map = SinkhornProblem.layer(rows: 4, columns: 3)
        var rng = SplitMix64(seed: 142)
        let w = rng.vector(7)
        let g = try withCheckedDerivatives { gradient(at: packParameters(data)) { x in map(x).dot(w) } }
        let direct = try data.solve().derivative().pullback(SinkhornOutputTangent(f: w.slice(0..<4), g: w.slice(4..<7)))
        expectClose(g.slice(0..<12), direct.costMatrix.flattened, rtol: 1e-9, "C")
        expectClose(g[19], direct.epsilon, rtol: 1e-9, "eps")
        #expect(throws: SinkhornError.self) { _ = try map.value(at: [1, 2, 3]) }
    }
}
