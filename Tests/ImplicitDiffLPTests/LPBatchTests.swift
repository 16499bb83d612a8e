import Foundation
import Testing
@testable import ImplicitDiffLP

@Suite("LP batches on worker threads")
struct LPBatchTests {
    @Test("ConcurrentBatch: LPs solved on short-lived worker threads equal sequential solves, batch after batch")
    func batchesOfLPs() throws {
        let problems = (0..<12).map { LPRandomProblem(n: 6 + $0 % 3, p: $0 % 2, m: 12, seed: UInt64(300 + $0)).problem }
        let sequential = try problems.map { try $0.solve().packedSolution }
        for _ in 0..<5 {
            let results = ConcurrentBatch.map(problems, jobs: 3) { try $0.solve().packedSolution }
            for (k, r) in results.enumerated() {
                #expect(try r.get() == sequential[k], "problem \(k)")
            }
        }
    }
}
