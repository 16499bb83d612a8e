import Foundation
import Testing
@testable import ImplicitDiffQP

/// A ``KnownQP``-style planted problem with badly scaled data: the rows in `scaledRows`
/// of `(G, h)` multiplied by `rowScale`, the last active row given the multiplier
/// `smallMu`, and `(Q, q)` multiplied by `objectiveScale` (the multipliers with it).
func scaledKnownQP(seed: UInt64, rowScale: Double = 1, scaledRows: [Int] = [], smallMu: Double? = nil,
                   objectiveScale: Double = 1, equalityRowScale: Double = 1) -> (problem: QuadraticProgram, z: Vector) {
    let n = 8, p = 1, m = 12, activeCount = 5
    var rng = QPRandom(seed: seed)
    let mm = rng.matrix(n, n)
    var q = (1.0 / Double(n)) * Matrix.product(mm, transposed: false, mm, transposed: true)
    for i in 0..<n { q[i, i] += 0.5 }
    q = q.symmetricPart
    var a = rng.matrix(p, n)
    var g = rng.matrix(m, n)
    let z = rng.vector(n), lambda = rng.vector(p)
    var mu = Vector.zeros(m), slack = Vector.zeros(m)
    for i in 0..<m {
        if i < activeCount { mu[i] = rng.uniform(0.5...1.5) } else { slack[i] = rng.uniform(0.5...1.5) }
    }
    if let smallMu { mu[activeCount - 1] = smallMu }
    var h = g * z + slack
    var lin = -(q * z) - a.transposedTimes(lambda) - g.transposedTimes(mu)
    q = objectiveScale * q
    lin = objectiveScale * lin
    for i in scaledRows {
        for j in 0..<n { g[i, j] *= rowScale }
        h[i] *= rowScale
    }
    for j in 0..<n { a[0, j] *= equalityRowScale }
    return (try! QuadraticProgram(Q: q, q: lin, A: a, b: a * z, G: g, h: h), z)
}

@Suite("QP certificates: the answer is re-checked on the original data")
struct QPCertificateTests {
    @Test("a solved QP carries its certificate, recomputed from (z, lambda, mu)")
    func certificateOfASolvedQP() throws {
        let k = KnownQP(n: 10, p: 2, m: 15, activeCount: 4, seed: 7)
        let s = try k.problem.solve()
        let fresh = QPKKTResidual(problem: k.problem, z: s.z, lambda: s.lambda, mu: s.mu)
        #expect(s.certificate == fresh)
        #expect(s.certificate.maximum <= 1e-10, "\(s.certificate)")
        #expect(s.certificate.primal <= 1e-12 && s.certificate.dual <= 1e-12 && s.certificate.gap <= 1e-12,
                "\(s.certificate)")
    }

    /// The check can fail: the certification entry point of `solve` rejects perturbed
    /// answers (z moved by 1e-6, a multiplier of the wrong sign, lambda moved by 1e-6).
    @Test("perturbed answers fail the certificate with .uncertified")
    func perturbedAnswersFail() throws {
        let k = KnownQP(n: 10, p: 2, m: 15, activeCount: 4, seed: 7)
        let s = try k.problem.solve()
        let tol = QPSolverOptions().tolerance
        #expect(throws: Never.self) { _ = try k.problem.certify(s, options: QPSolverOptions(tolerance: tol)) }
        func perturbed(z: Vector? = nil, lambda: Vector? = nil, mu: Vector? = nil) -> QPSolution {
            QPSolution(problem: s.problem, z: z ?? s.z, lambda: lambda ?? s.lambda, mu: mu ?? s.mu,
                       activeSet: s.activeSet, report: s.report, reducedKKT: s.reducedKKT)
        }
        var dz = s.z
        dz[0] += 1e-6
        var dmu = s.mu
        dmu[k.active[0]] = -dmu[k.active[0]]
        var dl = s.lambda
        dl[1] += 1e-6
        for (what, bad) in [("z", perturbed(z: dz)), ("mu", perturbed(mu: dmu)), ("lambda", perturbed(lambda: dl))] {
            expectQPError("perturbed \(what)", { if case .uncertified = $0 { return true }; return false }) {
                _ = try k.problem.certify(bad, options: QPSolverOptions(tolerance: tol))
            }
        }
        // An infeasible point: the figure that fails is the primal one.
        var outside = s.z
        outside.add(k.problem.G.row(k.active[0]), scaledBy: 1e-3)
        do {
            _ = try k.problem.certify(perturbed(z: outside), options: QPSolverOptions(tolerance: tol))
            Issue.record("an infeasible z was certified")
        } catch let QPError.uncertified(r, _) {
            #expect(r.inequality > 1e-6, "\(r)")
        }
    }

    /// Regression (wrong answers reported optimal): rows of G scaled by 1e10 next to unit
    /// rows, one unit row active with a small multiplier. The polish judged feasibility
    /// and signs against the largest row (`1e-10 * 1e10 = 1`), accepted an active set
    /// without that row and returned a z violating it by up to 1e-2 as optimal (about a
    /// third of such instances). The tests are now row by row.
    @Test("rows scaled by 1e10: the answer is right or an error, never wrong", arguments: [1e-2, 1e-4] as [Double])
    func rowsScaledBy1e10(smallMu: Double) throws {
        var solved = 0
        for seed in 0..<20 as Range<UInt64> {
            let (problem, zStar) = scaledKnownQP(seed: seed, rowScale: 1e10, scaledRows: [0, 1, 5], smallMu: smallMu)
            guard let s = try? problem.solve() else { continue }
            solved += 1
            expectClose(s.z, zStar, rtol: 1e-7, atol: 1e-7, "z (seed \(seed), mu \(smallMu))")
            let gz = problem.G * s.z
            for i in 0..<problem.inequalityCount {
                let violation = (gz[i] - problem.h[i]) / problem.G.row(i).norm
                #expect(violation <= 1e-9 * (1 + s.z.maxNorm), "row \(i) violated by \(violation) (seed \(seed))")
            }
            #expect(s.certificate.maximum <= 1e-10)
        }
        #expect(solved >= 15, "only \(solved) of 20 solved")
    }

    /// Regression (wrong answers reported optimal): the equality row scaled by 1e-10. Its
    /// residual, relative to `1 + max(||A z||, ||b||)`, was below 1e-10 for any z: every
    /// instance came back "optimal" with z off by 1e-4 to 1e-2. Rows are now measured in
    /// their own units.
    @Test("an equality row scaled by 1e-10 is still satisfied")
    func tinyEqualityRow() throws {
        for seed in 0..<10 as Range<UInt64> {
            let (problem, zStar) = scaledKnownQP(seed: seed, equalityRowScale: 1e-10)
            let s = try problem.solve()
            expectClose(s.z, zStar, rtol: 1e-8, atol: 1e-8, "z (seed \(seed))")
            let row = problem.A.row(0)
            #expect(abs(row.dot(s.z) - problem.b[0]) / row.norm <= 1e-10 * (1 + s.z.maxNorm))
        }
    }

    /// Regression (wrong answers reported optimal): an objective of size 1e-12. The
    /// residuals' absolute floor 1 (and an interior point that never scaled the objective
    /// up) accepted the starting point: z was wrong by O(1) on every instance.
    @Test("objective of size 1e-12: solved like the same problem of size 1", arguments: [1e-12, 1e-8, 1e8] as [Double])
    func tinyAndHugeObjectives(scale: Double) throws {
        for seed in 0..<5 as Range<UInt64> {
            let (problem, zStar) = scaledKnownQP(seed: seed, objectiveScale: scale)
            let s = try problem.solve()
            expectClose(s.z, zStar, rtol: 1e-8, atol: 1e-8, "z (seed \(seed), objective scale \(scale))")
            #expect(s.certificate.maximum <= 1e-10, "\(s.certificate)")
        }
    }

    /// The residuals do not change when a row or the objective is rescaled.
    @Test("certificate figures are invariant to row and objective scaling")
    func invariance() throws {
        let (base, _) = scaledKnownQP(seed: 3)
        let s = try base.solve()
        var z = s.z
        z[1] += 1e-5   // a wrong point, so the figures are not all zero
        let r0 = QPKKTResidual(problem: base, z: z, lambda: s.lambda, mu: s.mu)
        var g = base.G, h = base.h
        for j in 0..<g.columns { g[2, j] *= 1e8 }
        h[2] *= 1e8
        var mu = s.mu
        mu[2] /= 1e8
        let rowScaled = try QuadraticProgram(Q: base.Q, q: base.q, A: base.A, b: base.b, G: g, h: h)
        let r1 = QPKKTResidual(problem: rowScaled, z: z, lambda: s.lambda, mu: mu)
        #expect(abs(r1.inequality - r0.inequality) <= 1e-6 * r0.inequality + 1e-18)
        #expect(abs(r1.stationarity - r0.stationarity) <= 1e-6 * r0.stationarity)
        // Objectives below the floor 1 (sigma = min(1, max(max |Q_ij|, ||q||)) scales with them).
        func shrunk(_ c: Double) throws -> QPKKTResidual {
            let p = try QuadraticProgram(Q: c * base.Q, q: c * base.q, A: base.A, b: base.b, G: base.G, h: base.h)
            return QPKKTResidual(problem: p, z: z, lambda: c * s.lambda, mu: c * s.mu)
        }
        let (ra, rb) = (try shrunk(1e-9), try shrunk(1e-4))
        #expect(abs(ra.stationarity - rb.stationarity) <= 1e-6 * rb.stationarity, "\(ra) vs \(rb)")
        #expect(abs(ra.gap - rb.gap) <= 1e-6 * rb.gap + 1e-18, "\(ra) vs \(rb)")
        #expect(r0.stationarity > 1e-7)
    }

    /// Infeasibility and unboundedness are reported only with a certificate verified on
    /// the original data (also when rows are scaled by 1e10 and 1e-10).
    @Test("infeasible and unbounded verdicts carry a certificate verified on the original data",
          arguments: [1, 1e10, 1e-10] as [Double])
    func verifiedFailureCertificates(scale: Double) {
        // z0 + z1 <= 1 and -(z0 + z1) <= -2 (second row scaled): no feasible point.
        let infeasible = expectQPError("infeasible", { if case .infeasible = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: .identity(2), q: [1, 1], G: Matrix(rowArrays: [[1, 1], [-scale, -scale]])!,
                                     h: [1, -2 * scale]).solve()
        }
        #expect(infeasible.contains("verified on the original data"), "\(infeasible)")
        // Q = diag(1, 0), q = (0, -1), z1 <= free above: decreases without bound along e_1.
        let unbounded = expectQPError("unbounded", { if case .unbounded = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: Matrix(rowArrays: [[1, 0], [0, 0]])!, q: [0, -1],
                                     G: Matrix(rowArrays: [[-scale, 0]])!, h: [scale]).solve()
        }
        #expect(unbounded.contains("verified on the original data"), "\(unbounded)")
    }
}
