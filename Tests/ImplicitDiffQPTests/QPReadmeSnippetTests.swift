import Foundation   // the temporary QPS file
import Testing
import ImplicitDiffQP   // the only package module, as the README's snippets

// The README's ImplicitDiffQP snippets (dense, sparse, batched layer), compiled and run as
// written with the names they assume defined here. References: the known optimum of
// KnownQP and central differences of re-solved problems (polished solves, exact to
// ~1e-15: step 1e-6, compared at 1e-6 relative); the sparse snippet on a problem with
// a closed form: min 1/2 ||z||^2 - z_0 - z_1 s.t. z_0 + z_1 <= u, so z = (u/2, u/2) at
// u = 1 and dz/du = (1/2, 1/2), dz_0/dq = (-1/2, 1/2).
@Suite("README: ImplicitDiffQP snippets compile and run")
struct QPReadmeSnippetTests {
    @Test func denseSnippet() throws {
        let k = KnownQP(n: 5, p: 1, m: 6, activeCount: 2, seed: 71)
        let (Q, q, A, b, G, h) = (k.problem.Q, k.problem.q, k.problem.A, k.problem.b, k.problem.G, k.problem.h)
        var rng = QPRandom(seed: 72)
        let zbar = rng.vector(5), dq = rng.vector(5), dh = rng.vector(6)
        // --- README.md, ImplicitDiffQP ---
        // minimize 1/2 z'Qz + q'z  s.t.  A z = b,  G z <= h
        let qp = try QuadraticProgram(Q: Q, q: q, A: A, b: b, G: G, h: h)
        let s = try qp.solve()
        let d = try s.derivative()                                  // reduced KKT, factorised once
        let grad = try d.pullback(QPOutputs(z: zbar))               // grad.Q (symmetric), .q, .A, .b, .G, .h
        let dz = try d.pushforward(QPParameters(q: dq, h: dh))      // forward mode
        let J = try d.jacobian(of: .z, wrt: .h)
        let layer = QuadraticProgram.layer(shape: qp.shape)         // ImplicitFunction of all the data, for Swift AD
        let inQH = qp.layer(wrt: [.q, .h])                          // of x = [q, h] alone, the rest fixed
        let gqh = try withCheckedDerivatives {
            gradient(at: qp.packed(wrt: [.q, .h])) { x in qp.shape.z(inQH(x)).dot(zbar) }
        }
        // ---
        expectClose(s.z, k.z, rtol: 1e-10, atol: 1e-12, "z* of the known QP")
        let fd = try centralDifference { t in
            try QuadraticProgram(Q: Q, q: q + t * dq, A: A, b: b, G: G, h: h + t * dh).solve().z
        }
        expectClose(dz.z, fd, rtol: 1e-6, atol: 1e-9, "pushforward vs central differences")
        expectClose(J * dh, try d.pushforward(QPParameters(h: dh)).z, rtol: 1e-11, atol: 1e-13, "Jacobian")
        expectClose(gqh, grad.q.concatenated(with: grad.h), rtol: 1e-11, atol: 1e-13, "layer in (q, h)")
        let gAll = try withCheckedDerivatives { gradient(at: qp.shape.pack(qp)) { x in qp.shape.z(layer(x)).dot(zbar) } }
        expectClose(gAll, qp.shape.pack(grad), rtol: 1e-11, atol: 1e-13, "full layer")
        expectClose(grad.q.dot(dq) + grad.h.dot(dh), zbar.dot(dz.z), rtol: 1e-11, atol: 1e-13, "adjoint identity")
    }

    @Test func sparseSnippet() throws {
        let P = SparseMatrix.identity(2), q: Vector = [-1, -1]
        let A = SparseMatrix(Matrix(rowArrays: [[1, 1]])!)
        let l: Vector = [-10], u: Vector = [1], lb: Vector = [-5, -5], ub: Vector = [5, 5]
        let zbar: Vector = [1, 0]
        let problem = try SparseQuadraticProgram(P: P, q: q, A: A, l: l, u: u, lb: lb, ub: ub)
        var t = SparseQPParameters.zeros(like: problem)
        t.u = [1]
        // --- README.md, sparse QPs ---
        // minimize 1/2 z'Pz + q'z  s.t.  l <= A z <= u,  lb <= z <= ub   (P, A: SparseMatrix)
        let s = try SparseQuadraticProgram(P: P, q: q, A: A, l: l, u: u, lb: lb, ub: ub).solve()
        let (z, y, w) = (s.z, s.y, s.w)       // row and bound multipliers
        let certificate = s.certificate       // residuals on the original data
        let d = try s.derivative()            // reuses the polish's sparse factorisation
        let g = try d.pullback(z: zbar)       // g.q, g.l, g.u, g.lb, g.ub, g.P / g.A on the patterns
        let dz = try d.pushforward(t).z       // forward mode
        // ---
        expectClose(z, [0.5, 0.5], rtol: 1e-12, atol: 1e-14, "z")
        #expect(abs(abs(y[0]) - 0.5) <= 1e-12, "row multiplier |y| = 1/2: \(y)")
        #expect(w.maxNorm <= 1e-12, "bounds inactive: \(w)")
        #expect(certificate.maximum <= 1e-9)
        expectClose(dz, [0.5, 0.5], rtol: 1e-12, atol: 1e-14, "dz/du")
        expectClose(g.q, [-0.5, 0.5], rtol: 1e-12, atol: 1e-14, "dz_0/dq")
        expectClose(g.u, [0.5], rtol: 1e-12, atol: 1e-14, "dz_0/du")
    }

    @Test func batchedSnippet() throws {
        let problems = (0..<3).map { KnownQP(n: 4, p: 1, m: 5, activeCount: 2, seed: 80 + UInt64($0)).problem }
        let shape = problems[0].shape
        let rows = problems.map { shape.pack($0) }
        let X = Matrix(rows: rows.count, columns: shape.parameterCount, scalars: rows.flatMap(\.scalars))
        var rng = QPRandom(seed: 84)
        let Ybar = rng.matrix(rows.count, shape.solutionCount)
        // --- README.md, batches ---
        let layer = QuadraticProgram.layer(shape: shape)            // one QP: packed x -> (z, lambda, mu)
        let (Y, pullback) = try withCheckedDerivatives {
            valueWithPullback(at: X) { X in layer.batched(X) }    // X: one parameter vector per row
        }
        let Xbar = try withCheckedDerivatives { pullback(Ybar) }
        let perProblem = layer.valuesWithPullbacks(at: rows)      // throwing API, one Result per row
        // ---
        for (i, p) in problems.enumerated() {
            let s = try p.solve()
            expectClose(Y.row(i), s.packed, rtol: 1e-12, atol: 1e-14, "row \(i) value")
            let reference = shape.pack(try s.derivative().pullback(shape.unpackSolution(Ybar.row(i))))
            expectClose(Xbar.row(i), reference, rtol: 1e-11, atol: 1e-13, "row \(i) gradient")
            let (value, pb) = try perProblem[i].get()
            expectClose(value, s.packed, rtol: 1e-12, atol: 1e-14, "row \(i) throwing value")
            expectClose(try pb(Ybar.row(i)), reference, rtol: 1e-11, atol: 1e-13, "row \(i) throwing pullback")
        }
    }
}

/// The README's QPS snippet on the closed-form file of QPSModelTests (min c'z + 1/2 z'Qz + 10,
/// Q = [2 1; 1 2], c = (-3, -3), x + y <= 1.5): z = (0.75, 0.75), value 7.1875, row dual
/// -0.75, dx/dc = (-1/2, 1/2), dx/dr = 1/2 (exact to the polish: 1e-10).
@Suite("README: the QPS snippet compiles and runs")
struct QPSReadmeSnippetTests {
    @Test func qpsSnippet() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UInt64.random(in: 0...UInt64.max)).qps").path
        try QPSModelTests.lowerTriangle.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let zbar: Vector = [1, 0], dc: Vector = [1, 0], drhs: Vector = [1]
        // --- README.md, QPS files ---
        let model = try QPSModel(contentsOfFile: path)  // e.g. QAFIRO.QPS; or SparseQuadraticProgram(qpsFile:)
        let s = try model.problem.solve()       // min 1/2 z'Pz + q'z, (P, q) = s (Q, c), s = -1 for OBJSENSE MAX
        let value = model.value(at: s.z)        // the file's objective, constant included
        let rowDuals = model.rowDuals(s.y)      // d value / d rhs
        let g = model.parameterGradient(try s.derivative().pullback(z: zbar))   // g.c, g.rhs
        let t = try model.dataTangent(c: dc, rhs: drhs)                          // for pushforward
        // ---
        expectClose(s.z, [0.75, 0.75], rtol: 1e-10, "z")
        expectClose(value, 7.1875, rtol: 1e-10, "value")
        expectClose(rowDuals, [-0.75], rtol: 1e-10, "row dual")
        expectClose(g.c, [-0.5, 0.5], rtol: 1e-10, "dx/dc")
        expectClose(g.rhs, [0.5], rtol: 1e-10, "dx/dr")
        // Along (dc, drhs) = ((1, 0), 1): dx = -1/2 + 1/2 = 0, dy = 1/2 + 1/2 = 1.
        expectClose(try s.derivative().pushforward(t).z, [0, 1], rtol: 1e-10, atol: 1e-12, "pushforward")
    }
}
