import Testing
@testable import ImplicitDiffLP

// The interior point + crossover forward path of dense LPs (LPInteriorPoint, LPCrossover,
// LPForwardMethod) against GLPK's simplex on the same problems.
//
// Tolerances: both paths report the vertex, duals and derivatives recomputed from the
// optimal basis by the same LU solve with one refinement step; when they find the same
// basis the numbers agree to rounding (~1e-15 relative on these well-conditioned
// problems), compared at 1e-10 to leave room for a different pivot order inside LAPACK's
// LU if the basis columns come in another order.

/// The anchors' dense LP (`Benchmarks/anchors/run.py`, `make_lp`) at size `n`:
/// `min c'z`, `A z = b` (`n/4` rows), `G z <= h` with `n/2` random rows plus the box
/// `0 <= z <= 10` as `2n` rows of `G`, feasible around an interior point `z0`.
private func anchorStyleLP(n: Int, seed: UInt64) throws -> LinearProgram {
    var rng = LPTestRandom(seed: seed)
    let p = n / 4, k = n / 2
    let a = rng.matrix(p, n), gr = rng.matrix(k, n)
    let z0 = rng.vector(n, in: 1...9)
    let b = a * z0
    let hr = (gr * z0).scalars.map { $0 + rng.uniform(0.1...1) }
    var g = Matrix(rows: k + 2 * n, columns: n)
    for i in 0..<k { for j in 0..<n { g[i, j] = gr[i, j] } }
    for j in 0..<n {
        g[k + j, j] = -1
        g[k + n + j, j] = 1
    }
    let h = hr + [Double](repeating: 0, count: n) + [Double](repeating: 10, count: n)
    return try LinearProgram(c: rng.vector(n), A: a, b: b, G: g, h: Vector(h))
}

/// Solves `lp` with the given forward method.
private func solve(_ lp: LinearProgram, _ method: LPForwardMethod) throws -> LinearProgramSolution {
    try LPForwardMethod.$current.withValue(method) { try lp.solve() }
}

@Suite("LP interior point and crossover")
struct LPInteriorPointTests {
    @Test("same vertex, value, duals and derivative as the simplex", arguments: [(40, 1 as UInt64), (60, 2), (80, 3)])
    func sameAnswerAsTheSimplex(n: Int, seed: UInt64) throws {
        let lp = try anchorStyleLP(n: n, seed: seed)
        let simplex = try solve(lp, .simplex)
        let interior = try solve(lp, .interiorPoint(tolerance: 1e-8))
        #expect(interior.iterations == 0, "the crossover's basis was optimal: no simplex pivot")
        #expect(simplex.degeneracy == nil && interior.degeneracy == nil)
        #expect(interior.activeSet.activeInequalities == simplex.activeSet.activeInequalities)
        expectClose(interior.z, simplex.z, rtol: 1e-10, "z")
        expectClose(interior.lambda, simplex.lambda, rtol: 1e-10, "lambda")
        expectClose(interior.mu, simplex.mu, rtol: 1e-10, "mu")
        expectClose(interior.value, simplex.value, rtol: 1e-10, "value")
        var rng = LPTestRandom(seed: seed + 100)
        let cotangent = rng.vector(n)
        let layout = lp.layout
        let ybar = Vector(cotangent.scalars + [Double](repeating: 0, count: layout.equalityCount + layout.inequalityCount))
        let gi = try interior.derivative().pullback(ybar)
        let gs = try simplex.derivative().pullback(ybar)
        expectClose(gi, gs, rtol: 1e-10, "VJP of z w.r.t. (c, A, b, G, h)")
    }

    /// A random LP with a known vertex (`LPRandomProblem`: free variables, so the
    /// automatic choice keeps the simplex) plus box rows, solved by both paths.
    @Test func knownVertexWithEqualityRows() throws {
        let r = LPRandomProblem(n: 50, p: 10, m: 70, seed: 7)
        let box = Matrix(rowArrays: (0..<50).map { j in (0..<50).map { $0 == j ? 1.0 : 0 } })!
        var g = Matrix(rows: 120, columns: 50)
        for i in 0..<70 { for j in 0..<50 { g[i, j] = r.problem.G[i, j] } }
        for i in 0..<50 { for j in 0..<50 { g[70 + i, j] = box[i, j] } }
        let h = r.problem.h.scalars + [Double](repeating: 5, count: 50)   // |z*| <= 1: the box rows are inactive
        let lp = try LinearProgram(c: r.problem.c, A: r.problem.A, b: r.problem.b, G: g, h: Vector(h))
        let interior = try solve(lp, .interiorPoint(tolerance: 1e-8))
        expectClose(interior.z, r.z, rtol: 1e-10, "z = z*")
        expectClose(interior.lambda, r.lambda, rtol: 1e-10, "lambda")
        expectClose(interior.mu, Vector(r.mu.scalars + [Double](repeating: 0, count: 50)), rtol: 1e-10, "mu")
    }

    /// A primal-degenerate vertex: a redundant row through the optimal vertex (the sum of
    /// two active rows). The vertex is unique, so both paths report it and both report
    /// the degeneracy.
    @Test func primalDegenerateVertex() throws {
        let base = try anchorStyleLP(n: 40, seed: 11)
        let z = try solve(base, .simplex)
        let active = z.activeSet.activeInequalities
        let extra = base.G.row(active[0]) + base.G.row(active[1])
        var g = Matrix(rows: base.G.rows + 1, columns: 40)
        for i in 0..<base.G.rows { for j in 0..<40 { g[i, j] = base.G[i, j] } }
        for j in 0..<40 { g[base.G.rows, j] = extra[j] }
        let h = Vector(base.h.scalars + [extra.dot(z.z)])
        let lp = try LinearProgram(c: base.c, A: base.A, b: base.b, G: g, h: h)
        let simplex = try solve(lp, .simplex)
        let interior = try solve(lp, .interiorPoint(tolerance: 1e-8))
        expectClose(interior.z, simplex.z, rtol: 1e-10, "z")
        expectClose(interior.value, simplex.value, rtol: 1e-12, "value")
        #expect(simplex.degeneracy?.isPrimal == true)
        #expect(interior.degeneracy?.isPrimal == true)
    }

    /// A dual-degenerate LP: `c` is a multiple of a constraint row, so a whole edge (or
    /// face) is optimal. The paths may stop at different optimal vertices; the value and
    /// the verdict "not unique" must agree.
    @Test func dualDegenerateFace() throws {
        let base = try anchorStyleLP(n: 40, seed: 13)
        let row = base.G.row(0)
        let lp = try LinearProgram(c: -1.0 * row, A: base.A, b: base.b, G: base.G, h: base.h)
        let simplex = try solve(lp, .simplex)
        let interior = try solve(lp, .interiorPoint(tolerance: 1e-8))
        expectClose(interior.value, simplex.value, rtol: 1e-10, "optimal value")
        #expect(simplex.degeneracy?.isDual == true)
        #expect(interior.degeneracy?.isDual == true)
        #expect(interior.certificate.passed)
    }

    /// An interior point stopped far from the optimum (tolerance 0.5) proposes a basis that
    /// is not optimal; the simplex then starts from it and finds the same vertex.
    @Test func fallsBackWhenTheCrossoverBasisIsNotOptimal() throws {
        let lp = try anchorStyleLP(n: 60, seed: 17)
        let simplex = try solve(lp, .simplex)
        let early = try solve(lp, .interiorPoint(tolerance: 0.5))
        #expect(early.iterations > 0, "the simplex ran after the crossover")
        expectClose(early.z, simplex.z, rtol: 1e-10, "z")
        expectClose(early.mu, simplex.mu, rtol: 1e-10, "mu")
        #expect(early.degeneracy == nil)
    }

    /// Crossed rows: the interior point does not converge, and the verdict is the
    /// simplex's certified "infeasible".
    @Test func infeasibleStaysInfeasible() throws {
        let base = try anchorStyleLP(n: 40, seed: 19)
        var g = base.G
        var h = base.h.scalars
        // Row 0 and its negation with a gap: G_0 z <= h_0 and -G_0 z <= -h_0 - 1.
        g = Matrix(rows: base.G.rows + 1, columns: 40, scalars: g.scalars + (-1.0 * base.G.row(0)).scalars)
        h.append(-h[0] - 1)
        let lp = try LinearProgram(c: base.c, A: base.A, b: base.b, G: g, h: Vector(h))
        for method in [LPForwardMethod.simplex, .interiorPoint(tolerance: 1e-8)] {
            #expect { try solve(lp, method) } throws: { error in
                if case .infeasible = error as? LPError { return true }
                return false
            }
        }
    }

    /// Rows scaled by powers of two from 2^-20 to 2^20 (and the objective by 2^15): the
    /// interior point's scaling undoes them, and the vertex is the simplex's.
    @Test func badlyScaledRows() throws {
        let base = try anchorStyleLP(n: 60, seed: 23)
        var g = base.G, h = base.h
        for i in 0..<g.rows {
            let f = Double(sign: .plus, exponent: (i * 7) % 41 - 20, significand: 1)
            for j in 0..<g.columns { g[i, j] *= f }
            h[i] *= f
        }
        let lp = try LinearProgram(c: 32768 * base.c, A: base.A, b: base.b, G: g, h: h)
        let simplex = try solve(lp, .simplex)
        let interior = try solve(lp, .interiorPoint(tolerance: 1e-8))
        expectClose(interior.z, simplex.z, rtol: 1e-10, "z")
        expectClose(interior.value, simplex.value, rtol: 1e-10, "value")
        expectClose(interior.lambda, simplex.lambda, rtol: 1e-10, "lambda")
    }

    /// Nonnegative variables without upper bounds and a direction of descent: the
    /// interior point does not converge, and the verdict is the simplex's certified
    /// "unbounded".
    @Test func unboundedStaysUnbounded() throws {
        var rng = LPTestRandom(seed: 29)
        let n = 50, k = 60
        // G z <= h with G <= 0 entrywise on column 0: z_0 can grow without bound; c_0 < 0.
        var g = rng.matrix(k, n)
        for i in 0..<k { g[i, 0] = -abs(g[i, 0]) }
        var gAll = Matrix(rows: k + n, columns: n)
        for i in 0..<k { for j in 0..<n { gAll[i, j] = g[i, j] } }
        for j in 0..<n { gAll[k + j, j] = -1 }
        var c = rng.vector(n, in: 0.1...1)
        c[0] = -1
        let h = Vector([Double](repeating: 1, count: k) + [Double](repeating: 0, count: n))
        let lp = try LinearProgram(c: c, G: gAll, h: h)
        for method in [LPForwardMethod.simplex, .interiorPoint(tolerance: 1e-8)] {
            #expect { try solve(lp, method) } throws: { error in
                if case .unbounded = error as? LPError { return true }
                return false
            }
        }
    }

    /// Small integer data (many ties: degenerate vertices and optimal faces are common):
    /// the interior point + crossover (the automatic choice at this size: 75 x 100 for
    /// GLPK) and the simplex agree on the status, the value and the
    /// uniqueness verdict; where `z` is unique, on `z` and the primal verdict too.
    @Test(arguments: 0..<12)
    func integerDataAgreesWithTheSimplex(seed: Int) throws {
        var rng = LPTestRandom(seed: UInt64(1000 + seed))
        let n = 100, p = 15, k = 60
        func integer(_ r: Int, _ c: Int) -> Matrix {
            Matrix(rows: r, columns: c, scalars: (0..<(r * c)).map { _ in Double(Int(rng.uniform(-3...3).rounded())) })
        }
        let a = integer(p, n), gr = integer(k, n)
        let z0 = Vector((0..<n).map { _ in Double(Int(rng.uniform(1...4).rounded())) })
        var g = Matrix(rows: k + 2 * n, columns: n)
        for i in 0..<k { for j in 0..<n { g[i, j] = gr[i, j] } }
        for j in 0..<n { g[k + j, j] = -1; g[k + n + j, j] = 1 }
        let h = Vector((gr * z0).scalars.map { $0 + Double(seed % 3) } + [Double](repeating: 0, count: n) + [Double](repeating: 5, count: n))
        let c = Vector((0..<n).map { _ in Double(Int(rng.uniform(-2...2).rounded())) })
        let lp = try LinearProgram(c: c, A: a, b: a * z0, G: g, h: h)
        let simplex = try solve(lp, .simplex)
        let automatic = try solve(lp, .automatic)
        let form = lp.solverForm
        #expect(LPForwardMethod.automatic.interiorPointTolerance(for: LPBoundRows(form).reduced(form), options: .init()) != nil)
        expectClose(automatic.value, simplex.value, rtol: 1e-10, floor: 1, "value")
        #expect(automatic.degeneracy?.isDual == simplex.degeneracy?.isDual, "dual degeneracy (z not unique)")
        if simplex.degeneracy?.isDual != true {
            expectClose(automatic.z, simplex.z, rtol: 1e-10, floor: 1, "z")
            #expect(automatic.degeneracy?.isPrimal == simplex.degeneracy?.isPrimal, "primal degeneracy")
        }
    }

    /// The automatic choice: dense, boxed and not small -> interior point; small, sparse
    /// or with a free variable -> simplex.
    @Test func automaticChoice() throws {
        let options = LPOptions()
        func choice(_ lp: LinearProgram) -> Double? {
            let form = lp.solverForm
            let moved = LPBoundRows(form)
            return LPForwardMethod.automatic.interiorPointTolerance(for: moved.isEmpty ? form : moved.reduced(form), options: options)
        }
        #expect(choice(try anchorStyleLP(n: 100, seed: 1)) != nil, "75 x 100 dense, boxed")
        #expect(choice(try anchorStyleLP(n: 40, seed: 1)) == nil, "30 x 40: small")
        #expect(choice(LPRandomProblem(n: 100, p: 20, m: 120, seed: 1).problem) == nil, "free variables")
        // 40 variables boxed, 160 dense rows (6400 entries): more rows than columns.
        var rng = LPTestRandom(seed: 5)
        let tall = try LinearProgram(c: rng.vector(40), G: Matrix(rows: 240, columns: 40,
            scalars: rng.matrix(160, 40).scalars + (0..<80).flatMap { i in (0..<40).map { j in j == i % 40 ? (i < 40 ? -1.0 : 1.0) : 0 } }),
            h: Vector([Double](repeating: 1, count: 160) + [Double](repeating: 1, count: 80)))
        #expect(choice(tall) == nil, "160 rows > 40 columns")
        var limited = LPOptions()
        limited.iterationLimit = 10
        let big = try anchorStyleLP(n: 100, seed: 1).solverForm
        #expect(LPForwardMethod.automatic.interiorPointTolerance(for: LPBoundRows(big).reduced(big), options: limited) == nil,
                "an iteration limit is the simplex's")
    }
}
