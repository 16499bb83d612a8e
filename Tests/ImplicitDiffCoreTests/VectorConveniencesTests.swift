import Foundation
import Testing
import _Differentiation
@testable import ImplicitDiffCore

// Each convenience's pullback against central differences (checkGradient, h = 1e-6:
// truncation ~1e-12 for these smooth functions away from kinks), and checkGradient
// itself against a wrong derivative it must catch.

@Suite("Differentiable conveniences and checkGradient")
struct VectorConveniencesTests {
    static let x = Vector([0.3, -1.2, 2.5, 0.7, -0.4, 1.1])
    static let c = Vector([1, -2, 0.5, 3, -1, 2])

    @Test("every convenience's pullback matches central differences")
    func pullbacksMatchCentralDifferences() {
        let c = Self.c
        let cases: [(String, @differentiable(reverse) (Vector) -> Double)] = [
        ("scalar + vector", { v in (2.0 + v).dot(c) }),
        ("scalar / vector", { v in (1.5 / (v * v + 1)).dot(c) }),
        ("v[i]", { v in v[2] * v[0] + v[5] }),
        ("slice", { v in v.slice(1..<4).dot(c.slice(0..<3)) }),
        ("mean", { v in (v * v).mean() }),
        ("max", { v in (v * c).max() }),
        ("min", { v in (v * c).min() }),
        ("logSumExp", { v in (3 * v).logSumExp() }),
        ("sigmoid", { v in v.sigmoid().dot(c) }),
        ("softplus", { v in (10 * v).softplus().dot(c) }),
        ("relu", { v in v.relu().dot(c) }),
        ("magnitudes", { v in v.magnitudes().dot(c) }),
        ("matrix * scalar", { v in (Matrix(reshaping: v.concatenated(with: v), rows: 2, columns: 6) * 2.0 / 4.0 * v).sum() }),
        ]
        for (name, f) in cases {
            let report = checkGradient(of: f, at: Self.x, directions: 6, tolerance: 1e-7)
            #expect(report.passed, "\(name): \(report)")
            #expect(report.directions.count == 6)
        }
    }

    @Test("stable at large arguments: sigmoid, softplus and logSumExp stay finite with the right limits")
    func stability() {
        let big = Vector([-800, 0, 800])
        #expect(big.sigmoid() == Vector([0, 0.5, 1]))
        #expect(big.softplus().scalars[2] == 800 && big.softplus().scalars[0] == 0)
        #expect(big.logSumExp() == 800)
        #expect(gradient(at: big) { $0.logSumExp() } == Vector([0, 0, 1]))
        #expect(Vector.ones(3) == Vector([1, 1, 1]))
    }

    @Test("checkGradient catches a wrong derivative and reports it")
    func catchesWrongDerivative() {
        let report = checkGradient(of: { v in wronglyDifferentiatedCube(v) }, at: Self.x)
        #expect(!report.passed)
        #expect(report.worstRelativeError > 0.1)
        #expect(report.description.contains("FAILED"))
        // Many coordinates: random unit directions, not every coordinate.
        let long = Vector((0..<50).map { Double($0) / 10 })
        let ok = checkGradient(of: { v in (v * v).sum() }, at: long, directions: 3)
        #expect(ok.passed && ok.directions.count == 3, "\(ok)")
    }
}

/// `sum(v^3)` with a deliberately wrong pullback (`2 v` instead of `3 v^2`).
@differentiable(reverse)
func wronglyDifferentiatedCube(_ v: Vector) -> Double { (v * v * v).sum() }

@derivative(of: wronglyDifferentiatedCube)
func _vjpWronglyDifferentiatedCube(_ v: Vector) -> (value: Double, pullback: (Double) -> Vector) {
    ((v * v * v).sum(), { s in (2 * s) * v })
}
