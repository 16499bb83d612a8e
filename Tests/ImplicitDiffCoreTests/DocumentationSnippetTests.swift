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
