import Testing
import _Differentiation
@testable import ImplicitDiffCore

// Every hand-written pullback of Vector and Matrix against central differences
// (step 1e-6 relative: truncation ~1e-12, rounding ~1e-10; compared at 1e-7 relative).

@Suite("Registered derivatives of Vector and Matrix operations")
struct VectorDerivativeTests {
    static let x: Vector = [0.7, 1.3, 2.1, 0.4]
    static let c: Vector = [0.5, -1.2, 0.8, 2.0]

    static let cases: [(String, @Sendable @differentiable(reverse) (Vector) -> Double)] = [
        ("sum", { v in v.sum() }),
        ("dot", { v in v.dot(c) }),
        ("dot self", { v in v.dot(v) }),
        ("squaredNorm", { v in v.squaredNorm() }),
        ("add/sub", { v in ((v + c) - (c - v)).dot(c) }),
        ("negate", { v in (-v).dot(c) }),
        ("hadamard", { v in (v * v * c).sum() }),
        ("divide", { v in (c / v).sum() + (v / (v + 3)).sum() }),
        ("scalar ops", { v in (2.5 * v + v * 0.5 - v / 4 + (v + 1.5) - (v - 0.5) + (3 - v)).dot(c) }),
        ("exp/log/sqrt", { v in v.exp().dot(c) + v.log().sum() + v.sqrt().dot(c) }),
        ("pow/tanh", { v in v.pow(2.5).sum() + v.tanh().dot(c) }),
        ("squared", { v in v.squared().dot(c) }),
        ("element/entries/concat", { v in v.element(2) * v.element(0) + v.entries(1..<3).dot([1, 2]) + v.concatenated(with: v).sum() }),
        ("matvec", { v in (Matrix(reshaping: v, rows: 2, columns: 2) * Vector([1, -2])).dot([0.3, 0.9]) }),
        ("transposed matvec", { v in Matrix(reshaping: v, rows: 2, columns: 2).transposedTimes([1.5, -0.5]).sum() }),
        ("matmul/transpose", { v in
            let m = Matrix(reshaping: v, rows: 2, columns: 2)
            return (m * m.transposed).flattened.dot([1, 2, 3, 4]) }),
        ("matrix add/scale/sub", { v in
            let m = Matrix(reshaping: v, rows: 2, columns: 2)
            return (2 * m + m - m.transposed).flattened.dot([1, -1, 2, 0.5]) }),
    ]

    @Test(arguments: 0..<cases.count)
    func pullbackMatchesFiniteDifferences(index: Int) {
        let (name, f) = Self.cases[index]
        let g = gradient(at: Self.x, of: f)
        let fd = finiteDifferenceGradient(at: Self.x) { f($0) }
        expectClose(g, fd, rtol: 1e-7, name)
    }

    @Test func zeroIsTheEmptyVectorOfEveryLength() {
        let v: Vector = [1, 2, 3]
        #expect(v + .zero == v)
        #expect(Vector.zero + v == v)
        #expect(v - .zero == v)
        var w = v
        w.move(by: .zero)
        #expect(w == v)
    }
}
