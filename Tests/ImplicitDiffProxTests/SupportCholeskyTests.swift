import Foundation
import Testing
@testable import ImplicitDiffProx

// The updated factor against the definition: after every append and removal, L L' must
// equal X_S'X_S of the current support (1e-12 relative to its largest entry: each update
// is a forward substitution or a few rotations, backward stable, on a Gram matrix of
// condition ~1e2), and solves must invert it; a column in the span of the support must be
// refused.

@Suite("SupportCholesky: up- and downdates of the lasso's support factor")
struct SupportCholeskyTests {
    @Test("a random walk of appends and removals keeps L L' = X_S'X_S")
    func randomWalk() throws {
        var g = SplitMix64(seed: 17)
        let n = 80, d = 40
        let x = g.matrix(n, d)
        let gram = Matrix.product(x, transposed: true, x, transposed: false)
        var chol = try #require(SupportCholesky(gram: Matrix(rows: 0, columns: 0)))
        var support: [Int] = []
        var rng = SplitMix64(seed: 18)
        for step in 0..<300 {
            let outside = (0..<d).filter { !support.contains($0) }
            if support.count < 5 || (support.count < 30 && rng.uniform(0...1) < 0.6) {
                let j = outside[Int(rng.uniform(0...0.999) * Double(outside.count))]
                let appended = chol.append(cross: support.map { gram[$0, j] }, diagonal: gram[j, j])
                #expect(appended)
                support.append(j)
            } else {
                let a = Int(rng.uniform(0...0.999) * Double(support.count))
                chol.remove(at: a)
                support.remove(at: a)
            }
            // Compare (L L')^-1 b with the Gram block's own solve.
            let block = Matrix(rows: support.count, columns: support.count,
                               scalars: support.flatMap { i in support.map { gram[i, $0] } })
            let b = (0..<support.count).map { Double(($0 * 7) % 5) - 2 }
            let viaUpdates = chol.solve(b)
            let direct = try CholeskyFactorization(block).solve(Vector(b))
            let err = (Vector(viaUpdates) - direct).maxNorm / max(direct.maxNorm, 1e-300)
            #expect(err <= 1e-11, "step \(step), |S| = \(support.count): relative error \(err)")
            #expect(chol.size == support.count)
        }
    }

    @Test("a column in the span of the support is refused and leaves the factor unchanged")
    func rankDeficientAppendRefused() throws {
        var g = SplitMix64(seed: 5)
        var x = g.matrix(30, 4)
        for i in 0..<30 { x[i, 3] = x[i, 0] - 2 * x[i, 1] }   // column 3 = column 0 - 2 column 1
        let gram = Matrix.product(x, transposed: true, x, transposed: false)
        var chol = try #require(SupportCholesky(gram: Matrix(rows: 2, columns: 2, scalars: [gram[0, 0], gram[0, 1], gram[1, 0], gram[1, 1]])))
        let dependent = chol.append(cross: [gram[0, 3], gram[1, 3]], diagonal: gram[3, 3])
        #expect(!dependent)
        #expect(chol.size == 2)
        let independent = chol.append(cross: [gram[0, 2], gram[1, 2]], diagonal: gram[2, 2])
        #expect(independent)
        #expect(SupportCholesky(gram: gram) == nil)   // the whole Gram matrix is singular
    }
}
