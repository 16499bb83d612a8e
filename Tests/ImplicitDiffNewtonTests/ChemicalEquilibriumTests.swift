import Foundation
import _Differentiation
import ImplicitDiffNewton
import Testing

/// Two coupled equilibria in log-concentrations `z = log([A], [B], [C], [D])`:
/// ```
/// A + B <-> C  (K1),   C + B <-> D  (K2),   totals a0 (of A) and b0 (of B)
/// F1 = z_C - z_A - z_B - log K1               (mass action)
/// F2 = z_D - z_C - z_B - log K2
/// F3 = e^z_A + e^z_C + e^z_D - a0             (conservation of A)
/// F4 = e^z_B + e^z_C + 2 e^z_D - b0           (conservation of B)
/// ```
/// with parameters `x = (K1, K2, a0, b0)`, so `B = dF/dx = diag(-1/K1, -1/K2, -1, -1)`.
struct TwoReactionEquilibrium: NonlinearSystem {
    func residual(x: Vector, y z: Vector) -> Vector {
        let e = z.exp()
        return [z[2] - z[0] - z[1] - Foundation.log(x[0]),
                z[3] - z[2] - z[1] - Foundation.log(x[1]),
                e[0] + e[2] + e[3] - x[2],
                e[1] + e[2] + 2 * e[3] - x[3]]
    }

    func jacobian(x: Vector, y z: Vector) -> Matrix {
        let e = z.exp()
        return Matrix(rows: 4, columns: 4, scalars: [-1, -1, 1, 0,
                                                     0, -1, -1, 1,
                                                     e[0], 0, e[2], e[3],
                                                     0, e[1], e[2], 2 * e[3]])
    }

    func parameterJacobian(x: Vector, y: Vector) -> any AdjointableLinearOperator {
        Matrix.diagonal([-1 / x[0], -1 / x[1], -1, -1])
    }

    /// Half of each total in every species: positive, and far enough from the root
    /// that the line search has work to do.
    static func initialGuess(_ x: Vector) -> Vector {
        Vector([x[2], x[3], Swift.min(x[2], x[3]), Swift.min(x[2], x[3])].map { Foundation.log(0.5 * $0) })
    }
}

/// The same equations as a differentiable Swift function (Swift AD gives the derivatives).
@differentiable(reverse)
func twoReactionResidual(_ x: Vector, _ z: Vector) -> Vector {
    let e = z.exp()
    let logK = x.entries(0..<2).log()
    let massAction = Vector([1, 0]) * (z.element(2) - z.element(0) - z.element(1) - logK.element(0))
        + Vector([0, 1]) * (z.element(3) - z.element(2) - z.element(1) - logK.element(1))
    let conservation = Vector([1, 0]) * (e.element(0) + e.element(2) + e.element(3) - x.element(2))
        + Vector([0, 1]) * (e.element(1) + e.element(2) + 2 * e.element(3) - x.element(3))
    return massAction.concatenated(with: conservation)
}

/// Equations scaled row by row (`S F` for a diagonal `S`): the same roots and the same
/// derivative, `dz/dx = -(S A)^-1 (S B)`, however extreme the scales.
struct RowScaled<Base: NonlinearSystem>: NonlinearSystem where Base.Jacobian == Matrix {
    let base: Base
    let scales: Vector

    func residual(x: Vector, y: Vector) -> Vector { scales * base.residual(x: x, y: y) }

    func jacobian(x: Vector, y: Vector) throws -> Matrix {
        Matrix.diagonal(scales) * (try base.jacobian(x: x, y: y))
    }

    func parameterJacobian(x: Vector, y: Vector) throws -> any AdjointableLinearOperator {
        Matrix.diagonal(scales) * (try base.parameterJacobian(x: x, y: y).densifiedByRows())
    }
}

@Suite("Newton on a two-reaction chemical equilibrium")
struct ChemicalEquilibriumTests {
    let system = TwoReactionEquilibrium()
    /// K1, K2 span three decades; totals of order one.
    let parameterSets: [Vector] = [[10, 0.5, 1, 1.5], [1e3, 2, 0.3, 2], [0.2, 50, 2, 0.7]]

    func solve(_ x: Vector) throws -> NewtonSolution<Matrix> {
        try NewtonSolver().solve(system, parameters: x, initialGuess: TwoReactionEquilibrium.initialGuess(x))
    }

    @Test("the equilibrium satisfies mass action and conservation to rounding")
    func equilibrium() throws {
        for x in parameterSets {
            let s = try solve(x)
            let c = s.y.exp()
            expectClose(c[2], x[0] * c[0] * c[1], rtol: 1e-13)
            expectClose(c[3], x[1] * c[2] * c[1], rtol: 1e-13)
            expectClose(c[0] + c[2] + c[3], x[2], rtol: 1e-14)
            expectClose(c[1] + c[2] + 2 * c[3], x[3], rtol: 1e-14)
        }
    }

    @Test("dz/dx (4 x 4) matches central differences; reverse and forward agree with it")
    func derivatives() throws {
        var rng = SplitMix64(seed: 5)
        for x in parameterSets {
            let s = try solve(x)
            let d = try s.derivative(of: system, parameters: x)
            #expect(d.system.factorization is EquilibratedLUFactorization)
            let j = try d.jacobian()
            for k in 0..<4 {
                // Relative steps: the parameters differ in scale by 1e4.
                let fd = try centralDifference({ try solve($0).y }, at: x, along: .basis(k, count: 4) * x[k], step: 1e-3) / x[k]
                // Richardson FD on a solve converged to rounding: ~1e-10; 1e-7 for margin.
                expectClose(j.column(k), fd, rtol: 1e-7, "column \(k) at x = \(x.scalars)")
            }
            let w = rng.vector(4), v = rng.vector(4)
            expectClose(try d.pullback(w), j.transposedTimes(w), rtol: 1e-12)
            expectClose(try d.pushforward(v), j * v, rtol: 1e-12)
        }
    }

    @Test("equations in wildly different units (rows scaled by 1e150 and 1e-150) are not declared singular")
    func rowScaling() throws {
        let scaled = RowScaled(base: system, scales: [1e150, 1, 1e-150, 1e-150])
        for x in parameterSets {
            let s = try solve(x)
            let t = try NewtonSolver().solve(scaled, parameters: x, initialGuess: TwoReactionEquilibrium.initialGuess(x))
            expectClose(t.y, s.y, rtol: 1e-12)
            // Unequilibrated, S A has condition ~1e300: LU would call it singular.
            #expect(throws: LinearAlgebraError.self) { try LUFactorization(try scaled.jacobian(x: x, y: t.y)) }
            expectClose(try t.derivative(of: scaled, parameters: x).jacobian(),
                        try s.derivative(of: system, parameters: x).jacobian(), rtol: 1e-11)
        }
    }

    @Test("the Swift AD adaptor gives the same root and derivative as the hand-written Jacobian")
    func differentiableAdaptor() throws {
        let adapted = DifferentiableNonlinearSystem { x, z in twoReactionResidual(x, z) }
        for x in parameterSets {
            let s = try solve(x)
            let z0 = TwoReactionEquilibrium.initialGuess(x)
            expectClose(try adapted.jacobian(x: x, y: z0), system.jacobian(x: x, y: z0), rtol: 1e-14)
            let t = try NewtonSolver().solve(adapted, parameters: x, initialGuess: z0)
            expectClose(t.y, s.y, rtol: 1e-13)
            expectClose(try t.derivative(of: adapted, parameters: x).jacobian(),
                        try s.derivative(of: system, parameters: x).jacobian(), rtol: 1e-11)
        }
    }

    @Test("gradient(at:of:) through the implicit function, with an adaptor system")
    func swiftAD() throws {
        let adapted = DifferentiableNonlinearSystem { x, z in twoReactionResidual(x, z) }
        let f = NewtonSolver().layer(for: adapted, initialGuess: { TwoReactionEquilibrium.initialGuess($0) })
        let x = parameterSets[1]
        // L = total concentration of C and D: sum of exp(z_C), exp(z_D).
        let g = try withCheckedDerivatives {
            gradient(at: x) { x in f(x).entries(2..<4).exp().sum() }
        }
        let s = try solve(x)
        let w = Vector([0, 0, Foundation.exp(s.y[2]), Foundation.exp(s.y[3])])
        expectClose(g, try s.derivative(of: system, parameters: x).pullback(w), rtol: 1e-11)
    }
}
