import Foundation
import Testing
@testable import ImplicitDiffQP

// References: central finite differences of tight re-solves. The planted QPs have strict
// complementarity with margins >= 0.5 (multipliers of active rows, slacks of inactive
// rows), so a step of 1e-6 keeps the active set; the solver is exact to ~1e-15, so the
// difference quotient carries rounding error ~1e-15 / 1e-6 = 1e-9 and truncation error
// O(t^2) ~ 1e-12. Derivatives are compared at 1e-6 relative (1e-8 absolute).

@Suite("QP derivatives")
struct QPDerivativeTests {
    static let seeds: [UInt64] = [11, 12, 13]

    @Test("reverse mode matches finite differences for every parameter", arguments: seeds)
    func pullbackEveryParameter(seed: UInt64) throws {
        let k = KnownQP(n: 7, p: 2, m: 9, activeCount: 4, seed: seed)
        let s = try k.problem.solve()
        #expect(s.activeSet.active == k.active)
        let d = try s.derivative()
        var rng = QPRandom(seed: seed + 100)
        let shape = k.problem.shape
        let cot = QPOutputs(z: rng.vector(shape.n), lambda: rng.vector(shape.p), mu: rng.vector(shape.m), value: rng.normal())
        let grad = try d.pullback(cot)
        let direction = QPParameters.random(shape, &rng)
        for name in QPParameter.allCases {
            let dir = direction.only(name)
            let fd = try centralDifference { t in
                Vector([cot.stacked.dot(try solvedOutputs(k.problem, t, dir).stacked)])
            }
            let predicted = grad.inner(dir.materialized(shape))
            expectClose(predicted, fd[0], rtol: 1e-6, atol: 1e-8, "<grad_\(name), d> (seed \(seed))")
        }
        // The Q gradient is symmetric.
        expectClose(grad.Q, grad.Q.transposed, rtol: 0, atol: 0, "Qbar symmetric")
        // Inactive rows get no G/h gradient; cotangents on inactive mu do nothing.
        let inactive = (0..<shape.m).filter { !k.active.contains($0) }
        for i in inactive {
            #expect(grad.h[i] == 0)
            #expect(grad.G.row(i).maxNorm == 0)
        }
        var onlyInactive = QPOutputs(mu: .zeros(shape.m))
        for i in inactive { onlyInactive.mu[i] = 1 }
        let g0 = try d.pullback(onlyInactive)
        #expect(shape.pack(g0).maxNorm == 0)
    }

    @Test("forward mode matches finite differences for every parameter", arguments: seeds)
    func pushforwardEveryParameter(seed: UInt64) throws {
        let k = KnownQP(n: 7, p: 2, m: 9, activeCount: 4, seed: seed)
        let s = try k.problem.solve()
        let d = try s.derivative()
        var rng = QPRandom(seed: seed + 200)
        let direction = QPParameters.random(k.problem.shape, &rng)
        for name in QPParameter.allCases {
            let dir = direction.only(name)
            let out = try d.pushforward(dir).stacked
            let fd = try centralDifference { t in try solvedOutputs(k.problem, t, dir).stacked }
            expectClose(out, fd, rtol: 1e-6, atol: 1e-8, "d(z, lambda, mu, value) along d\(name) (seed \(seed))")
        }
        // All at once is the sum (linearity), and a non-symmetric dQ acts through its symmetric part.
        let all = try d.pushforward(direction).stacked
        let sum = try QPParameter.allCases.map { try d.pushforward(direction.only($0)).stacked }.reduce(Vector.zeros(all.count), +)
        expectClose(all, sum, rtol: 1e-12, atol: 1e-13, "linearity")
        var skew = QPParameters(Q: rng.matrix(7, 7))
        let viaSym = try d.pushforward(QPParameters(Q: skew.Q.symmetricPart)).stacked
        skew.Q = skew.Q + 0.0 * skew.Q
        expectClose(try d.pushforward(skew).stacked, viaSym, rtol: 1e-14, atol: 1e-15, "dQ symmetrised")
    }

    @Test("reverse and forward modes are adjoint: <ybar, J dx> = <J' ybar, dx>")
    func adjointness() throws {
        let k = KnownQP(n: 10, p: 3, m: 12, activeCount: 5, seed: 21)
        let d = try k.problem.solve().derivative()
        var rng = QPRandom(seed: 22)
        let shape = k.problem.shape
        for _ in 0..<3 {
            let cot = QPOutputs(z: rng.vector(shape.n), lambda: rng.vector(shape.p), mu: rng.vector(shape.m), value: rng.normal())
            let tan = QPParameters.random(shape, &rng)
            let lhs = cot.stacked.dot(try d.pushforward(tan).stacked)
            let rhs = try d.pullback(cot).inner(tan)
            expectClose(lhs, rhs, rtol: 1e-12, atol: 1e-12, "adjoint identity")
        }
    }

    @Test("Jacobians: one multi-RHS solve, equal to finite differences column by column")
    func jacobians() throws {
        let k = KnownQP(n: 5, p: 1, m: 6, activeCount: 3, seed: 31)
        let d = try k.problem.solve().derivative()
        let shape = k.problem.shape
        for wrt in QPParameter.allCases {
            for of in QPOutput.allCases {
                let j = try d.jacobian(of: of, wrt: wrt)
                #expect(j.rows == of.count(shape) && j.columns == wrt.count(shape))
                var fd = Matrix(rows: j.rows, columns: j.columns)
                for c in 0..<j.columns {
                    var t = QPParameters().materialized(shape)
                    switch wrt {
                    case .Q: t.Q.scalars[c] = 1; t.Q = t.Q.symmetricPart   // the symmetric convention
                    case .q: t.q[c] = 1
                    case .A: t.A.scalars[c] = 1
                    case .b: t.b[c] = 1
                    case .G: t.G.scalars[c] = 1
                    case .h: t.h[c] = 1
                    }
                    let col = try centralDifference { s in try solvedOutputs(k.problem, s, t).flattened(of) }
                    fd.setColumn(c, to: col)
                }
                expectClose(j, fd, rtol: 1e-6, atol: 1e-8, "d\(of)/d\(wrt)")
            }
        }
    }

    @Test("closed form: unconstrained QP, z = -Q^-1 q")
    func unconstrainedClosedForm() throws {
        var rng = QPRandom(seed: 41)
        let m = rng.matrix(6, 6)
        var q = Matrix.product(m, transposed: false, m, transposed: true)
        for i in 0..<6 { q[i, i] += 1 }
        q = q.symmetricPart
        let lin = rng.vector(6)
        let problem = try QuadraticProgram(Q: q, q: lin)
        let s = try problem.solve()
        let chol = try CholeskyFactorization(q)
        let qinv = chol.solve(Matrix.identity(6))
        expectClose(s.z, -(qinv * lin), rtol: 1e-13, "z = -Q^-1 q")
        expectClose(s.value, -0.5 * lin.dot(qinv * lin), rtol: 1e-13, "value = -q'Q^-1 q / 2")
        let d = try s.derivative()
        expectClose(try d.jacobian(of: .z, wrt: .q), -1.0 * qinv, rtol: 1e-12, "dz/dq = -Q^-1")
        // dz/dQ along dQ: -Q^-1 dQ z.
        let dQ = rng.symmetric(6)
        expectClose(try d.pushforward(QPParameters(Q: dQ)).z, -(qinv * (dQ * s.z)), rtol: 1e-12, "dz along dQ")
        // Envelope: d value/dq = z, d value/dQ = z z'/2.
        let g = try d.pullback(QPOutputs(value: 1))
        expectClose(g.q, s.z, rtol: 1e-14, "dvalue/dq = z")
        expectClose(g.Q, 0.5 * Matrix.outer(s.z, s.z), rtol: 1e-14, "dvalue/dQ = z z'/2")
    }

    @Test("closed form: equality-constrained QP, the KKT solve and its inverse blocks")
    func equalityClosedForm() throws {
        // min 1/2 ||z||^2 s.t. 1'z = b:  z = b/n 1,  lambda = -b/n,  dz/db = 1/n,  dz/dq = -(I - 11'/n).
        let n = 4
        let problem = try QuadraticProgram(Q: .identity(n), q: .zeros(n), A: Matrix(rows: 1, columns: n, repeating: 1), b: [2])
        let s = try problem.solve()
        expectClose(s.z, Vector(repeating: 0.5, count: n), rtol: 1e-14, "z")
        expectClose(s.lambda, [-0.5], rtol: 1e-14, "lambda")
        let d = try s.derivative()
        expectClose(try d.jacobian(of: .z, wrt: .b), Matrix(rows: n, columns: 1, repeating: 0.25), rtol: 1e-14, "dz/db")
        var proj = Matrix.identity(n)
        for i in 0..<n { for j in 0..<n { proj[i, j] -= 0.25 } }
        expectClose(try d.jacobian(of: .z, wrt: .q), -1.0 * proj, rtol: 1e-13, atol: 1e-15, "dz/dq = -(I - 11'/n)")
        expectClose(try d.pullback(QPOutputs(value: 1)).b, [0.5], rtol: 1e-14, "dvalue/db = -lambda")
    }

    @Test("closed form: projection onto a half-space, z = x - (a'x - c)_+ a/||a||^2")
    func halfSpaceProjection() throws {
        // min 1/2||z - x||^2 s.t. a'z <= c with x outside: mu = (a'x - c)/||a||^2.
        let a: Vector = [1, 2, -1], x: Vector = [3, 1, 0], c = 1.0
        let problem = try QuadraticProgram(Q: .identity(3), q: -x, G: Matrix(rows: 1, columns: 3, scalars: a.scalars), h: [c])
        let s = try problem.solve()
        let aa = a.squaredNorm(), viol = a.dot(x) - c
        expectClose(s.z, x - (viol / aa) * a, rtol: 1e-14, "z")
        expectClose(s.mu, [viol / aa], rtol: 1e-14, "mu")
        // dz/dq = -(I - a a'/||a||^2) (q = -x), dz/dh = a/||a||^2.
        var proj = Matrix.identity(3)
        proj.addOuter(a, a, scaledBy: -1 / aa)
        let d = try s.derivative()
        expectClose(try d.jacobian(of: .z, wrt: .q), -1.0 * proj, rtol: 1e-13, atol: 1e-15, "dz/dq")
        expectClose(try d.jacobian(of: .z, wrt: .h).column(0), a / aa, rtol: 1e-13, "dz/dh")
        expectClose(try d.jacobian(of: .mu, wrt: .h), Matrix(rows: 1, columns: 1, scalars: [-1 / aa]), rtol: 1e-13, "dmu/dh")
    }
}

@Suite("QP derivatives, semidefinite Q (LDL' path)")
struct QPSemidefiniteDerivativeTests {
    @Test("Q of rank n - 4: the Bunch-Kaufman LDL' of the equilibrated K, checked by finite differences",
          arguments: [61, 62] as [UInt64])
    func semidefinite(seed: UInt64) throws {
        let k = KnownQP(n: 8, p: 2, m: 10, activeCount: 5, seed: seed, rankDeficit: 4)
        let s = try k.problem.solve()
        #expect(s.activeSet.active == k.active)
        expectClose(s.z, k.z, rtol: 1e-9, atol: 1e-11, "z (unique: Q is PD on the null space of the active rows)")
        let d = try s.derivative()
        #expect(d.kkt.method == "ldlt")
        var rng = QPRandom(seed: seed + 300)
        var direction = QPParameters.random(k.problem.shape, &rng)
        // dQ = Q R + R'Q keeps Q + t dQ semidefinite up to O(t^2): a generic dQ would make
        // the finite-difference problems non-convex.
        let r = rng.matrix(8, 8), q = k.problem.Q
        direction.Q = q * r + r.transposed * q
        for name in QPParameter.allCases {
            let dir = direction.only(name)
            let out = try d.pushforward(dir).stacked
            let fd = try centralDifference { t in try solvedOutputs(k.problem, t, dir).stacked }
            expectClose(out, fd, rtol: 1e-6, atol: 1e-8, "d outputs along d\(name)")
        }
    }

    @Test("LP-like (Q = 0) at a nondegenerate vertex: dz/dq = 0 and dz/dh from the active rows")
    func linearProgramVertex() throws {
        // min -z1 - z2 s.t. z1 + 2 z2 <= 4, 3 z1 + z2 <= 6, z >= 0: vertex (1.6, 1.2).
        let g = Matrix(rowArrays: [[1, 2], [3, 1], [-1, 0], [0, -1]])!
        let p = try QuadraticProgram(Q: Matrix(rows: 2, columns: 2), q: [-1, -1], G: g, h: [4, 6, 0, 0])
        let s = try p.solve()
        expectClose(s.z, [1.6, 1.2], rtol: 1e-13, "vertex")
        #expect(s.activeSet.active == [0, 1])
        let d = try s.derivative()
        expectClose(try d.jacobian(of: .z, wrt: .q), Matrix(rows: 2, columns: 2), rtol: 0, atol: 1e-13, "dz/dq = 0")
        // z = B^-1 h_B with B = [[1, 2], [3, 1]]: dz/dh_B = B^-1 = [[-0.2, 0.4], [0.6, -0.2]].
        let j = try d.jacobian(of: .z, wrt: .h)
        expectClose(j, Matrix(rowArrays: [[-0.2, 0.4, 0, 0], [0.6, -0.2, 0, 0]])!, rtol: 1e-12, atol: 1e-14, "dz/dh")
        // Envelope: d value/dq = z, d value/dh = -mu.
        let gv = try d.pullback(QPOutputs(value: 1))
        expectClose(gv.q, s.z, rtol: 1e-13, "dvalue/dq")
        expectClose(gv.h, -s.mu, rtol: 1e-13, "dvalue/dh")
    }

    @Test("LP-like edge (non-unique minimiser): solved, derivative refused with the reason")
    func nonUnique() throws {
        let p = try QuadraticProgram(Q: Matrix(rows: 2, columns: 2), q: [-1, -1],
                                     G: Matrix(rowArrays: [[1, 1], [-1, 0], [0, -1]])!, h: [1, 0, 0])
        let s = try p.solve()
        #expect(s.report.kktResidual.maximum <= 1e-10)
        expectClose(s.value, -1, rtol: 1e-10, "value")
        let msg = expectQPError("non-unique", { if case .notDifferentiable = $0 { return true }; return false }) {
            _ = try s.derivative()
        }
        #expect(msg.contains("not unique"))
    }
}
