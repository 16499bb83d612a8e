import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffQP

// The batched QP layer (one QP per row of packed parameters, solved and differentiated
// concurrently) against each problem's own reduced-KKT derivative: the same linear
// algebra on the same data, so they agree to rounding (1e-10 relative).

@Suite("QP layer over a batch (ImplicitFunction.batched)")
struct QPBatchedLayerTests {
    @Test("values and pullback rows equal each QP's solve and QPDerivative pullback; 1 and 3 workers agree bit for bit")
    func batchedLayer() throws {
        let known = (0..<8).map { KnownQP(n: 6, p: 1, m: 8, activeCount: 2 + $0 % 3, seed: UInt64(400 + $0)) }
        let shape = known[0].problem.shape
        let layer = QuadraticProgram.layer(shape: shape)
        let rows = known.map { shape.pack($0.problem) }
        let x = Matrix(rows: rows.count, columns: shape.parameterCount, scalars: rows.flatMap(\.scalars))
        var rng = QPRandom(seed: 9)
        let outputs = layer.outputCount?(rows[0]) ?? 0
        let ybar = Matrix(rows: rows.count, columns: outputs, scalars: (0..<(rows.count * outputs)).map { _ in rng.vector(1)[0] })
        func run(_ jobs: Int) throws -> (Matrix, Matrix) {
            try withCheckedDerivatives {
                let (y, pullback) = valueWithPullback(at: x) { x in layer.batched(x, jobs: jobs) }
                return (y, pullback(ybar))
            }
        }
        let (y, xbar) = try run(3)
        for (k, kq) in known.enumerated() {
            let s = try kq.problem.solve()
            expectClose(shape.z(y.row(k)), s.z, rtol: 1e-10, atol: 1e-12, "z of problem \(k)")
            let w = ybar.row(k)
            let reference = try s.derivative().pullback(QPOutputs(z: shape.z(w), lambda: shape.lambda(w), mu: shape.mu(w)))
            expectClose(xbar.row(k), shape.pack(reference), rtol: 1e-10, atol: 1e-12, "gradient of problem \(k)")
        }
        let (y1, xbar1) = try run(1)
        #expect(y1.scalars == y.scalars)
        #expect(xbar1.scalars == xbar.scalars)
    }
}
