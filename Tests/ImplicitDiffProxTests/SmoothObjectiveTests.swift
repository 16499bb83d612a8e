import Testing
import _Differentiation
@testable import ImplicitDiffProx

/// Checks a smooth objective's derivatives against central differences of its own value
/// and gradient (step 1e-6; exact up to rounding for quadratics, O(h^2) otherwise):
/// gradient, Hessian products and blocks, mixed derivative `G` and its transpose, the
/// partial derivative in `theta`, and the fused pullback. `G` and `G'` must be adjoint to
/// `adjointTolerance` (rounding for exact operators; difference accuracy otherwise).
func checkSmoothObjective<F: SmoothObjective>(_ f: F, at w: Vector, seed: UInt64, rtol: Double = 1e-6,
                                              adjointTolerance: Double = 1e-12,
                                              sourceLocation: SourceLocation = #_sourceLocation) throws {
    var rng = SplitMix64(seed: seed)
    let n = f.dimension, theta = f.parameters, p = theta.count
    #expect(f.parameterCount == p, sourceLocation: sourceLocation)
    let (value, gradient) = f.valueAndGradient(at: w)
    expectClose(value, f.value(at: w), rtol: 1e-12, "\(F.self) value", sourceLocation: sourceLocation)
    let fdGradient = finiteDifferenceJacobian(at: w) { Vector([f.value(at: $0)]) }
    expectClose(gradient, Vector(fdGradient.scalars), rtol: rtol, floor: 1, "\(F.self) gradient", sourceLocation: sourceLocation)

    let v = rng.vector(n)
    let hv = f.hessianVectorProduct(at: w, v)
    expectClose(hv, finiteDifference(at: w, along: v) { f.gradient(at: $0) }, rtol: rtol, floor: 1,
                "\(F.self) Hessian product", sourceLocation: sourceLocation)
    let s = [0, n - 1, n / 2]
    let block = f.hessianBlock(at: w, indices: s)
    let dense = finiteDifferenceJacobian(at: w) { f.gradient(at: $0) }
    for (a, i) in s.enumerated() {
        for (b, j) in s.enumerated() {
            expectClose(block[a, b], dense[i, j], rtol: rtol, floor: 1, "\(F.self) Hessian block (\(i), \(j))",
                        sourceLocation: sourceLocation)
        }
    }

    let g = f.gradientParameterJacobian(at: w)
    let dtheta = rng.vector(p)
    let fdG = try finiteDifference(at: theta, along: dtheta) { try f.withParameters($0).gradient(at: w) }
    expectClose(g.apply(dtheta), fdG, rtol: rtol, floor: 1, "\(F.self) G dtheta", sourceLocation: sourceLocation)
    expectClose(g.applyTransposed(v).dot(dtheta), v.dot(g.apply(dtheta)), rtol: adjointTolerance, floor: 1,
                "\(F.self) G' adjoint", sourceLocation: sourceLocation)
    let partial = f.parameterGradient(at: w)
    let fdPartial = try finiteDifference(at: theta, along: dtheta) { Vector([try f.withParameters($0).value(at: w)]) }
    expectClose(partial.dot(dtheta), fdPartial[0], rtol: rtol, floor: 1, "\(F.self) df/dtheta", sourceLocation: sourceLocation)
    let fused = f.parameterPullback(at: w, gradientCotangent: v, valueCotangent: 0.7)
    expectClose(fused, g.applyTransposed(v) + 0.7 * partial, rtol: 1e-12, floor: 1, "\(F.self) fused pullback",
                sourceLocation: sourceLocation)
}

@Suite("Smooth objectives: derivatives against differences")
struct SmoothObjectiveTests {
    @Test func leastSquares() throws {
        var rng = SplitMix64(seed: 71)
        let x = rng.normalMatrix(9, 5), y = rng.normalVector(9), w = rng.vector(5)
        for useGram in [true, false, nil] as [Bool?] {
            let f = try LeastSquares(design: x, targets: y, useGram: useGram)
            try checkSmoothObjective(f, at: w, seed: 72)
            expectClose(f.precomputed().gradient(at: w), f.gradient(at: w), rtol: 1e-13, "Gram gradient (\(String(describing: useGram)))")
        }
        #expect(try LeastSquares(design: x, targets: y).precomputationBreakEven != nil)
        #expect(try LeastSquares(design: x, targets: y, useGram: false).precomputationBreakEven == nil)
        // The Gram matrix by dsyrk is X'X.
        expectClose(LeastSquares.gram(x), x.transposed * x, rtol: 1e-14, "dsyrk Gram")
    }

    @Test func logisticLoss() throws {
        var rng = SplitMix64(seed: 73)
        let x = rng.normalMatrix(11, 4), labels = Vector((0..<11).map { _ in rng.uniform(0...1) }), w = rng.vector(4)
        let f = try LogisticLoss(design: x, labels: labels)
        try checkSmoothObjective(f, at: w, seed: 74)
        // The Lipschitz estimate bounds the Hessian's largest eigenvalue.
        #expect(f.lipschitzEstimate()! >= 0.99 * f.powerIteration(at: w, iterations: 200))
        // Stable for large margins: no overflow in softplus or the sigmoid.
        let big = try LogisticLoss(design: Matrix(rows: 2, columns: 1, scalars: [800, -800]), labels: [1, 0])
        let (value, gradient) = big.valueAndGradient(at: [1])
        #expect(value.isFinite && gradient.isFinite)
    }

    @Test func differentiableObjective() throws {
        // A non-quadratic f: second derivatives are differences of AD gradients (~1e-8).
        let f = DifferentiableObjective(dimension: 3, parameters: [0.5, -1]) { w, t in
            (w * w * w * w).sum() * 0.25 + t.element(0) * w.dot(w) + t.element(1) * w.sum()
        }
        var rng = SplitMix64(seed: 75)
        try checkSmoothObjective(f, at: rng.vector(3), seed: 76, rtol: 1e-5, adjointTolerance: 1e-8)
    }
}
