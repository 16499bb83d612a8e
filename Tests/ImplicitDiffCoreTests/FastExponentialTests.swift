import Foundation
import ImplicitDiffCore
import Testing
import _ImplicitDiffKernels

@Suite("Fast exponential (log-sum-exp passes, Newton residuals)")
struct FastExponentialTests {
    @Test func withinTwoUlpOfFoundation() {
        var rng = SplitMix64(seed: 1234)
        var worst = 0.0
        for k in 0..<100_000 {
            // Dense near 0, and across the whole range down to the subnormals.
            let x = k % 2 == 0 ? Double.random(in: -2...2, using: &rng) : Double.random(in: -745...709, using: &rng)
            let exact = Foundation.exp(x), fast = fastExp(x)
            let ulp = exact == 0 ? Double.leastNonzeroMagnitude : exact.ulp
            worst = Swift.max(worst, abs(fast - exact) / ulp)
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
        // The four-lane version gives the same bits as the scalar one.
        var buffer = (0..<103).map { Double($0) * -7.3 + 3.1 }
        let scalar = buffer.map { fastExp($0 - 0.25) }
        buffer.withUnsafeMutableBufferPointer { exponentiate($0, 0..<103, minus: 0.25) }
        #expect(buffer == scalar)
        #expect(fastExp(0) == 1 && fastExp(-800) == 0 && fastExp(-746) == 0)
        #expect(fastExp(-740) > 0 && abs(fastExp(-740) - Foundation.exp(-740)) <= 2 * Double.leastNonzeroMagnitude)
        #expect(abs(fastExp(1) - Foundation.exp(1)) <= Foundation.exp(1).ulp)
    }

    @Test func bulkExponentialsKeepFoundationEdgeCases() {
        // NaN, overflow and the clamp region (709, 709.78] go to Foundation.exp, in the
        // four-lane part and in the tail alike.
        let x: [Double] = [0.5, .nan, 709.5, 710, -800, 1, 2, .infinity, -.infinity, 3, 709.7]
        var out = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { exponentials(of: x.baseAddress!, into: $0.baseAddress!, count: x.count) }
        }
        #expect(out[1].isNaN)
        #expect(out[3] == .infinity && out[7] == .infinity)
        #expect(out[2] == Foundation.exp(709.5) && out[10] == Foundation.exp(709.7))
        #expect(out[4] == 0 && out[8] == 0)
        for i in [0, 5, 6, 9] { #expect(abs(out[i] - Foundation.exp(x[i])) <= 2 * Foundation.exp(x[i]).ulp) }
        // The four-lane path (one scaling by 2^k) over its whole range [-708, 709].
        var rng = SplitMix64(seed: 99)
        let wide = (0..<4001).map { k in k % 2 == 0 ? Double.random(in: -2...2, using: &rng) : Double.random(in: -708...709, using: &rng) }
        var bulk = [Double](repeating: 0, count: wide.count)
        wide.withUnsafeBufferPointer { x in
            bulk.withUnsafeMutableBufferPointer { exponentials(of: x.baseAddress!, into: $0.baseAddress!, count: x.count) }
        }
        let worst = zip(wide, bulk).map { abs($1 - Foundation.exp($0)) / Foundation.exp($0).ulp }.max() ?? .infinity
        #expect(worst <= 2, "worst error \(worst) ulp")
    }
}
