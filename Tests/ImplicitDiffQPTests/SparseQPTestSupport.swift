import Foundation
import Testing
@testable import ImplicitDiffQP

/// A random sparse QP in the Maros-Meszaros form: `P = B B' / n + 0.1 I` restricted to a band (positive
/// definite) or, with `psd`, a low-rank `P`; sparse `A` (about `density` of the entries),
/// rows of every kind (equalities, two-sided, one-sided, free) and variable bounds of every
/// kind, all consistent with a feasible point `z0`.
struct RandomSparseQP {
    let problem: SparseQuadraticProgram

    init(n: Int, m: Int, density: Double, seed: UInt64, psd: Bool = false) {
        var rng = QPRandom(seed: seed)
        var pr = [Int](), pc = [Int](), pv = [Double]()
        if psd {
            // P = v v' on the first 3 coordinates (rank 1).
            let v = [1.0, -2.0, 0.5]
            for i in 0..<min(3, n) { for j in 0..<min(3, n) { pr.append(i); pc.append(j); pv.append(v[i] * v[j]) } }
        } else {
            for i in 0..<n {
                pr.append(i); pc.append(i); pv.append(1 + rng.uniform(0...1))
                if i + 1 < n {
                    let a = 0.3 * rng.uniform()
                    pr += [i, i + 1]; pc += [i + 1, i]; pv += [a, a]
                }
            }
        }
        let P = try! SparseMatrix(rows: n, columns: n, rowIndices: pr, columnIndices: pc, values: pv)
        var ar = [Int](), ac = [Int](), av = [Double]()
        for i in 0..<m {
            for j in 0..<n where rng.uniform(0...1) < density { ar.append(i); ac.append(j); av.append(rng.normal()) }
            let j = Int(rng.uniform(0...0.999) * Double(n))
            ar.append(i); ac.append(j); av.append(1 + rng.uniform(0...1))
        }
        let A = try! SparseMatrix(rows: m, columns: n, rowIndices: ar, columnIndices: ac, values: av)
        let z0 = rng.vector(n)
        let az0 = A * z0
        var l = [Double](), u = [Double]()
        for i in 0..<m {
            switch i % 5 {
            case 0: l.append(az0[i]); u.append(az0[i])
            case 1: l.append(az0[i] - rng.uniform(0...1)); u.append(az0[i] + rng.uniform(0...1))
            case 2: l.append(-.infinity); u.append(az0[i] + rng.uniform(0...0.5))
            case 3: l.append(az0[i] - rng.uniform(0...0.5)); u.append(.infinity)
            default: l.append(-.infinity); u.append(.infinity)
            }
        }
        var lb = [Double](), ub = [Double]()
        for j in 0..<n {
            switch psd ? 0 : j % 4 {  // a singular P needs a bounded feasible set
            case 0: lb.append(z0[j] - rng.uniform(0...0.3)); ub.append(z0[j] + rng.uniform(0...0.3))
            case 1: lb.append(z0[j] - rng.uniform(0...0.3)); ub.append(.infinity)
            case 2: lb.append(-.infinity); ub.append(z0[j] + rng.uniform(0...0.3))
            default: lb.append(-.infinity); ub.append(.infinity)
            }
        }
        var q = rng.vector(n)
        if psd { for j in 0..<n { q[j] = 3 * q[j] } }
        problem = try! SparseQuadraticProgram(P: P, q: q, A: A, l: Vector(l), u: Vector(u), lb: Vector(lb), ub: Vector(ub))
    }
}

extension SparseQuadraticProgram {
    /// The same QP in the dense form `A z = b, G z <= h` (rows with `l = u` as equalities,
    /// every finite side and bound as a row of `G`), for comparisons with the dense solver.
    var denseEquivalent: QuadraticProgram {
        let n = variableCount, a = A.dense
        var eqRows = [[Double]](), b = [Double](), gRows = [[Double]](), h = [Double]()
        for i in 0..<rowCount {
            let row = a.row(i).scalars
            if l[i] == u[i] { eqRows.append(row); b.append(u[i]); continue }
            if u[i].isFinite { gRows.append(row); h.append(u[i]) }
            if l[i].isFinite { gRows.append(row.map { -$0 }); h.append(-l[i]) }
        }
        for j in 0..<n {
            var e = [Double](repeating: 0, count: n)
            if ub[j].isFinite { e[j] = 1; gRows.append(e); h.append(ub[j]) }
            if lb[j].isFinite { e[j] = -1; gRows.append(e); h.append(-lb[j]) }
        }
        return try! QuadraticProgram(Q: P.dense, q: q,
                                     A: eqRows.isEmpty ? nil : Matrix(rowArrays: eqRows)!, b: eqRows.isEmpty ? nil : Vector(b),
                                     G: gRows.isEmpty ? nil : Matrix(rowArrays: gRows)!, h: gRows.isEmpty ? nil : Vector(h))
    }
}

/// `max_i |a_i - b_i| / (1 + max_i |b_i|)`.
func sparseRelativeError(_ a: Vector, _ b: Vector) -> Double {
    var e = 0.0
    for i in 0..<a.count { e = max(e, abs(a[i] - b[i])) }
    return e / (1 + b.maxNorm)
}
