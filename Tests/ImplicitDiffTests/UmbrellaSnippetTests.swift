import Testing
import ImplicitDiff   // only this, as the snippet: every module, and gradient(at:of:), come with it

// The ImplicitDiff (umbrella) DocC snippet, compiled and run as written. Closed forms:
// the QP min 1/2 ||z||^2 - z_0 - z_1 s.t. z_0 + z_1 <= h has z = (h/2, h/2), so
// dz/dh = (1/2, 1/2); the LP's value -h_0 - h_1 near its vertex z = (1, 3) (rows 0 and 1
// active), so d value/dh = -mu = (-1, -1, 0, 0); both exact to the solve (1e-12).
// Bratu's dy/dlambda against a central difference of re-solved problems (1e-6 relative).
@Suite("DocC: the ImplicitDiff umbrella snippet compiles and runs")
struct UmbrellaSnippetTests {
    @Test func overviewSnippet() throws {
        // --- ImplicitDiff.md ---
        let qp = try QuadraticProgram(Q: .identity(2), q: [-1, -1],
                                      G: Matrix(rowArrays: [[1, 1]])!, h: [1])
        let dz = try qp.solve().derivative().pushforward(QPParameters(h: [1])).z

        let bratu = try BratuProblem(gridPoints: 100)
        let s = try NewtonSolver().solve(bratu, parameters: [1.0], initialGuess: bratu.initialGuess)
        let dydl = try s.derivative(of: bratu, parameters: [1.0]).pushforward([1])

        // Every module's layer has the same shape: `layer`, `solverOptions:` for the forward
        // solver, `options:` for the derivative, and a layer in a chosen part of the data.
        let lp = try LinearProgram(c: [-1, -2], G: Matrix(rowArrays: [[1, 1], [0, 1], [-1, 0], [0, -1]])!,
                                   h: [4, 3, 0, 0])
        let inH = lp.layer(wrt: [.h], solverOptions: LPOptions(), options: ImplicitOptions())
        let dValue = try withCheckedDerivatives { gradient(at: lp.h) { h in lp.layout.z(inH(h)).dot(lp.c) } }
        // ---
        #expect((dz - Vector([0.5, 0.5])).maxNorm <= 1e-12)
        #expect((dValue - Vector([-1, -1, 0, 0])).maxNorm <= 1e-12)
        let h = 1e-6
        let plus = try NewtonSolver().solve(bratu, parameters: [1.0 + h], initialGuess: bratu.initialGuess).y
        let minus = try NewtonSolver().solve(bratu, parameters: [1.0 - h], initialGuess: bratu.initialGuess).y
        #expect(((plus - minus) / (2 * h) - dydl).maxNorm <= 1e-6 * dydl.maxNorm)
    }
}
