import Testing
@testable import ImplicitDiffLP

// Closed forms on small LPs whose vertex, duals and derivatives are known by hand.
// Tolerance 1e-12 relative: see LPTestSupport.swift.

/// min -z1 - 2 z2  s.t.  z1 <= 1, z2 <= 2, -z1 <= 0, -z2 <= 0, z1 + z2 <= 2.5.
/// Vertex z = (0.5, 2): rows 1 and 4 active, M = [[0, 1], [1, 1]], mu_1 = mu_4 = 1,
/// value = -4.5; z2 = h1, z1 = h4 - h1.
private func twoVariableLP() throws -> LinearProgram {
    try LinearProgram(c: [-1, -2],
                      G: Matrix(rowArrays: [[1, 0], [0, 1], [-1, 0], [0, -1], [1, 1]])!,
                      h: [1, 2, 0, 0, 2.5])
}

@Suite("LP closed forms")
struct LPClosedFormTests {
    @Test func vertexDualsAndValue() throws {
        let s = try twoVariableLP().solve()
        expectClose(s.z, [0.5, 2], rtol: 1e-12, "z")
        expectClose(s.mu, [0, 1, 0, 0, 1], rtol: 1e-12, "mu")
        expectClose(s.value, -4.5, rtol: 1e-12, "value")
        #expect(s.activeSet.activeInequalities == [1, 4])
        #expect(s.degeneracy == nil)
        #expect(s.lambda.count == 0)
    }

    /// GLPK's raw row duals are `d value / d (row bound)`: for `G z <= h` that is `-mu`,
    /// the sign of the Lagrangian `c'z + mu'(G z - h)`; the library's `mu` is `>= 0`.
    @Test func glpkRowDualSignAgainstLagrangian() throws {
        let lp = try twoVariableLP()
        let form = lp.solverForm
        let raw = try GLPKProblem.withProblem { glp -> [Double] in
            try glp.setMinimize(true)
            try glp.setSize(rows: form.rowCount, columns: form.columnCount)
            for j in 0..<form.columnCount {
                try glp.setColumnBounds(j, lower: -.infinity, upper: .infinity)
                try glp.setObjectiveCoefficient(j, form.objective[j])
            }
            for i in 0..<form.rowCount { try glp.setRowBounds(i, lower: form.rowLower[i], upper: form.rowUpper[i]) }
            try glp.loadMatrix(form.matrix)
            #expect(try glp.simplex() == 0)
            return try glp.rowDuals()
        }
        expectClose(Vector(raw), [0, -1, 0, 0, -1], rtol: 1e-12, "GLPK row duals = -mu")
        // Stationarity of the Lagrangian with the library's mu: c + G'mu = 0.
        let s = try lp.solve()
        expectClose(lp.c + lp.G.transposedTimes(s.mu), Vector.zeros(2), rtol: 1e-12, floor: 1, "c + G'mu")
    }

    @Test func derivativesOfTheTwoVariableVertex() throws {
        let lp = try twoVariableLP()
        let s = try lp.solve()
        let layout = lp.layout
        let d = try s.derivative()
        let j = try d.jacobian()
        // dz/dh: z2 = h1, z1 = h4 - h1; other h and all of c have no effect on z.
        for (k, expected) in [(1, [-1.0, 1.0]), (4, [1.0, 0.0]), (0, [0.0, 0.0]), (2, [0.0, 0.0]), (3, [0.0, 0.0])] {
            expectClose(j.column(layout.hRange.lowerBound + k).slice(0..<2), Vector(expected), rtol: 1e-12, floor: 1, "dz/dh\(k)")
        }
        for k in layout.cRange { #expect(j.column(k).slice(0..<2).maxNorm == 0, "dz/dc must be exactly 0") }
        // The envelope theorem: [z, -, -, mu z', -mu].
        let g = s.valueGradient
        expectClose(g.slice(layout.cRange), [0.5, 2], rtol: 1e-12, "dvalue/dc = z")
        expectClose(g.slice(layout.hRange), [0, -1, 0, 0, -1], rtol: 1e-12, "dvalue/dh = -mu")
        expectClose(g.slice(layout.gRange), [0, 0, 0.5, 2, 0, 0, 0, 0, 0.5, 2], rtol: 1e-12, "dvalue/dG = mu z'")
        // The same gradient by the chain rule through dz: c' dz/dx + z on the c block.
        var chain = try d.pullback(Vector(lp.c.scalars + [Double](repeating: 0, count: 5)))
        chain.add(Vector(s.z.scalars + [Double](repeating: 0, count: layout.parameterCount - 2)), scaledBy: 1)
        expectClose(chain, g, rtol: 1e-12, "chain rule = envelope")
    }

    /// min z1 + z2  s.t.  z1 + 2 z2 = b (= 4), z >= 0:  z = (0, b/2), value = b/2,
    /// lambda = -1/2, mu = (1/2, 0): d value/db = -lambda = 1/2.
    @Test func equalityConstrainedLP() throws {
        let lp = try LinearProgram(c: [1, 1], A: Matrix(rowArrays: [[1, 2]])!, b: [4],
                                   G: Matrix(rowArrays: [[-1, 0], [0, -1]])!, h: [0, 0])
        let s = try lp.solve()
        expectClose(s.z, [0, 2], rtol: 1e-12, "z")
        expectClose(s.lambda, [-0.5], rtol: 1e-12, "lambda")
        expectClose(s.mu, [0.5, 0], rtol: 1e-12, "mu")
        let layout = lp.layout
        let dzdb = try s.derivative().pushforward(Vector.basis(layout.bRange.lowerBound, count: layout.parameterCount))
        expectClose(dzdb.slice(0..<2), [0, 0.5], rtol: 1e-12, floor: 1, "dz/db")
        // From c + A'lambda + G'mu = 0 with mu2 = 0: lambda = -c2/2, mu1 = c1 - c2/2; z does not move.
        let dyDc2 = try s.derivative().pushforward(Vector.basis(1, count: layout.parameterCount))
        expectClose(dyDc2, [0, 0, -0.5, -0.5, 0], rtol: 1e-12, floor: 1, "d(z, lambda, mu)/dc2")
        expectClose(s.valueGradient.slice(layout.bRange), [0.5], rtol: 1e-12, "dvalue/db = -lambda")
    }

    /// Reverse, forward and the dense Jacobian are the same linear map.
    @Test func reverseForwardAndJacobianAgree() throws {
        let r = LPRandomProblem(n: 5, p: 1, m: 8, seed: 11)
        let s = try r.problem.solve()
        let d = try s.derivative()
        let j = try d.jacobian()
        var rng = LPTestRandom(seed: 99)
        let dx = rng.vector(j.columns), ybar = rng.vector(j.rows)
        expectClose(try d.pushforward(dx), j * dx, rtol: 1e-12, "pushforward = J dx")
        expectClose(try d.pullback(ybar), j.transposedTimes(ybar), rtol: 1e-12, "pullback = J' ybar")
    }
}
