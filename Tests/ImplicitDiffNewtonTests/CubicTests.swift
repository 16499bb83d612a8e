import _Differentiation
import ImplicitDiffNewton
import Testing

/// `y^3 + y = x` elementwise, with the closed-form derivative `dy/dx = 1 / (3 y^2 + 1)`.
@Suite("Newton on the elementwise cubic")
struct CubicTests {
    let system = ElementwiseCubic()

    func solve(_ x: Vector) throws -> NewtonSolution<TridiagonalMatrix> {
        try NewtonSolver().solve(system, parameters: x, initialGuess: ElementwiseCubic.initialGuess(for: x))
    }

    @Test("roots to rounding level, from small and large x", arguments: testSeeds)
    func roots(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for scale in [1e-3, 1.0, 1e3, 1e8] {
            let x = scale * rng.vector(7)
            let s = try solve(x)
            // Componentwise backward error: |F_i| within 8 ulp of the size of its terms.
            let terms = s.y.map { abs($0 * $0 * $0) + abs($0) } + x.map { abs($0) }
            for i in 0..<x.count {
                #expect(abs(s.residual[i]) <= 8 * Double.ulpOfOne * terms[i], "F_\(i) = \(s.residual[i]) at scale \(scale)")
            }
            #expect(s.iterations <= 12, "\(s.iterations) iterations at scale \(scale): \(s.history)")
        }
    }

    @Test("extreme x (1e300 next to 1e-300): the badly scaled diagonal Jacobian is not declared singular")
    func extremeScales() throws {
        let x: Vector = [1e300, -1e300, 1e-300, 0, 2]
        let s = try solve(x)
        let d = try s.derivative(of: system, parameters: x)
        let slope = s.y.map { 1 / (3 * $0 * $0 + 1) }
        expectClose(try d.pushforward(Vector(repeating: 1, count: 5)), slope, rtol: 1e-14)
        expectClose(s.y[0], 1e100, rtol: 1e-14)
    }

    @Test("x = 0 is solved at the initial guess without a step")
    func zeroIsExact() throws {
        let s = try solve(.zeros(3))
        #expect(s.y == .zeros(3))
        #expect(s.iterations == 0)
        #expect(s.convergence == .residualTolerance)
        #expect(s.certificate.relativeStep == 0 && s.certificate.relativeResidual == 0)
    }

    @Test("reverse, forward and Jacobian match dy/dx = 1/(3y^2+1), reusing Newton's factorisation",
          arguments: testSeeds)
    func derivatives(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let x = 3.0 * rng.vector(6)
        let s = try solve(x)
        let d = try s.derivative(of: system, parameters: x)
        // The implicit system is solved with the factorisation Newton computed at the root.
        #expect(d.system.method == "factorization")
        #expect(d.system.factorization is TridiagonalFactorization)
        let slope = s.y.map { 1 / (3 * $0 * $0 + 1) }
        let w = rng.vector(6), v = rng.vector(6)
        // Diagonal solves: a few roundings per entry.
        expectClose(try d.pullback(w), w * slope, rtol: 1e-14)
        expectClose(try d.pushforward(v), v * slope, rtol: 1e-14)
        expectClose(try d.jacobian(), Matrix.diagonal(slope), rtol: 1e-14)
    }

    /// Newton's iteration for the cubic written as differentiable Swift code and unrolled:
    /// Swift AD differentiates through every iteration, an independent route to dy/dx.
    @differentiable(reverse)
    static func unrolledNewton(_ x: Vector) -> Vector {
        var y = x
        for _ in 0..<60 {
            y = y - (y * y * y + y - x) / (3.0 * (y * y) + 1.0)
        }
        return y
    }

    @Test("gradient(at:of:) through the implicit function equals AD through unrolled Newton")
    func swiftAD() throws {
        var rng = SplitMix64(seed: 7)
        let x = 2.0 * rng.vector(5), w = rng.vector(5)
        let f = NewtonSolver().layer(for: system, initialGuess: { ElementwiseCubic.initialGuess(for: $0) })
        let implicit = try withCheckedDerivatives { gradient(at: x) { x in f(x).dot(w) } }
        let unrolled = gradient(at: x) { x in Self.unrolledNewton(x).dot(w) }
        // The unrolled iteration has converged long before its 60 steps, so its derivative
        // is the implicit one up to rounding.
        expectClose(implicit, unrolled, rtol: 1e-12)
        expectClose(try f.value(at: x), Self.unrolledNewton(x), rtol: 1e-14)
    }

    @Test("a parameter vector of the wrong length is a typed error")
    func wrongLength() {
        #expect(throws: NewtonError.self) {
            try NewtonSolver().solve(system, parameters: [1, 2, 3], initialGuess: [0, 0])
        }
    }
}
