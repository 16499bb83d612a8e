import Foundation
import Testing
import ImplicitDiffCore  // only this: `gradient(at:of:)` must come with it (no `import _Differentiation`)

// The snippets of the README and the core's DocC pages, compiled and run as written
// (with the helper each assumes defined here), so that a snippet cannot rot. Values
// against the closed forms they illustrate: d sum(sqrt(x)) / dx = 1 / (2 sqrt(x)).

/// The "opaque" solver the snippets name: Newton's method for sqrt, entry by entry.
@Sendable func mySqrtSolver(_ x: Vector) -> Vector {
    x.map { v in
        var y = max(v, 1)
        for _ in 0..<60 { y = 0.5 * (y + v / y) }
        return y
    }
}
@Sendable func newtonSqrt(_ x: Vector) -> Vector { mySqrtSolver(x) }

@Suite("Documentation snippets compile and run")
struct DocumentationSnippetTests {
    let x = Vector([0.25, 1, 4, 9])
    var expected: Vector { Vector(x.scalars.map { 1 / (2 * $0.squareRoot()) }) }

    @Test("README: the first snippet")
    func readmeFirstSnippet() throws {
        let x = self.x
        // --- README.md, first code block (imports above) ---
        // y = sqrt(x) by an opaque Newton loop, characterised by y*y - x = 0
        let f = ImplicitFunction(solver: { x in (mySqrtSolver(x), ()) },
                                 conditions: { x, y, _ in y * y - x })
        let g = gradient(at: x) { x in f(x).sum() }   // Swift AD through the implicit derivative
        // ---
        #expect((g - expected).maxNorm <= 1e-12)
    }

    @Test("DocC ImplicitDiffCore overview and ImplicitFunction")
    func coreOverview() throws {
        let x = self.x
        // --- ImplicitDiffCore.md ---
        let f = ImplicitFunction(solver: { x in (newtonSqrt(x), ()) },
                                 conditions: { x, y, _ in y * y - x })
        let g = gradient(at: x) { x in f(x).sum() }
        let J = try f.jacobian(at: x)
        // ---
        #expect((g - expected).maxNorm <= 1e-12)
        #expect((J.transposedTimes(.ones(4)) - expected).maxNorm <= 1e-12)
        // --- ImplicitFunction's doc comment ---
        let sqrtMap = ImplicitFunction(solver: { x in (newtonSqrt(x), ()) },
                                       conditions: { x, y, _ in y * y - x })
        let y = sqrtMap(x)                                    // plain call
        let g2 = gradient(at: x) { x in sqrtMap(x).sum() }    // Swift AD, implicit derivative
        let J2 = try sqrtMap.jacobian(at: x)                  // one factorisation
        // ---
        #expect(y == Vector([0.5, 1, 2, 3]) && g2 == g && J2 == J)
    }

    @Test("DocC: Choosing a linear solver, closure conditions with .automatic")
    func choosingALinearSolver() throws {
        let p = TanhFixedPoint(n: 60, seed: 2)
        let (w, u) = (p.w, p.u)
        @Sendable func fixedPoint(_ u: Vector) -> Vector { tanhFixedPoint(w: w, u: u) }
        // --- ChoosingALinearSolver.md ---
        let f = ImplicitFunction(solver: { u in (fixedPoint(u), ()) },
                                 conditions: { u, y, _ in y - (w * y + u).tanh() })   // .automatic
        let g = gradient(at: u) { u in f(u).sum() }   // GMRES on A', no n x n matrix
        // ---
        #expect(relativeError(g, try p.referencePullback(.ones(60))) <= 1e-8)
    }
}

@Suite("README: ImplicitDiffCore in ten lines")
struct ReadmeCoreSnippetTests {
    @Test func tenLines() throws {
        let x = Vector([0.25, 1, 4, 9]), dx = Vector([1, -1, 2, 0.5])
        // --- README.md, ImplicitDiffCore in ten lines (imports above) ---
        let f = ImplicitFunction(solver: { x in (newtonSqrt(x), ()) },          // any solver, opaque to AD
                                 conditions: { x, y, _ in y * y - x })           // F(x, y) = 0
        let y  = f(x)                                                            // plain call
        let g  = gradient(at: x) { x in f(x).sum() }                             // Swift AD, reverse mode
        let J  = try f.jacobian(at: x)                                           // dense, one factorisation
        let (y2, pullback) = try f.valueWithPullback(at: x)                      // throwing API; pullback reusable
        let dy = try f.pushforward(at: x, along: dx)                             // forward mode
        // ---
        // Closed forms: y = sqrt(x), dy/dx = diag(1 / (2 sqrt(x))) (exact to the solve: 1e-12).
        let d = Vector(x.scalars.map { 1 / (2 * $0.squareRoot()) })
        #expect(y == Vector([0.5, 1, 2, 3]) && y2 == y)
        #expect((g - d).maxNorm <= 1e-12)
        #expect((J - Matrix.diagonal(d)).maxNorm <= 1e-12)
        #expect((try pullback(.ones(4)) - d).maxNorm <= 1e-12)
        #expect((dy - d * dx).maxNorm <= 1e-12)
    }
}

@Suite("DocC: Choosing a linear solver, a Krylov method on an operator")
struct KrylovSnippetTests {
    @Test func conjugateGradientOnAFunctionOperator() throws {
        // The 1-D Laplacian tridiag(-1, 2, -1), symmetric positive definite, as a product.
        let n = 50
        @Sendable func laplacian(_ v: Vector) -> Vector {
            Vector((0..<n).map { i in 2 * v[i] - (i > 0 ? v[i - 1] : 0) - (i < n - 1 ? v[i + 1] : 0) })
        }
        let b = Vector((0..<n).map { Double($0 % 7) - 3 })
        // --- ChoosingALinearSolver.md, "Using the Krylov methods directly" ---
        let op = FunctionOperator(rows: n, columns: n, apply: { v in laplacian(v) })
        let result = try ConjugateGradient(options: .init(relativeTolerance: 1e-12)).solve(op, b)
        print(result.iterations, result.relativeResidual)
        // ---
        // Stopping rule ||r|| <= atol + rtol ||b|| with atol = sqrt(ulp) ~ 1.5e-8: checked on
        // the true residual. CG on an n x n SPD matrix needs at most n iterations in exact arithmetic.
        #expect((laplacian(result.solution) - b).norm <= 1e-7)
        #expect(result.iterations <= n)
    }
}
