import Foundation
import Testing
@testable import ImplicitDiffQP

/// `try f()` must throw a ``QPError`` matching `match`; returns its description.
@discardableResult
func expectQPError(_ what: String, _ match: (QPError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation,
                   _ f: () throws -> Void) -> String {
    do {
        try f()
        Issue.record("\(what): no error was thrown", sourceLocation: sourceLocation)
    } catch let e as QPError {
        #expect(match(e), "\(what): unexpected error \(e)", sourceLocation: sourceLocation)
        return e.description
    } catch {
        Issue.record("\(what): not a QPError: \(error)", sourceLocation: sourceLocation)
    }
    return ""
}

let box2 = Matrix(rowArrays: [[1, 0], [-1, 0], [0, 1], [0, -1]])!

@Suite("QP validation and failure detection")
struct QPErrorTests {
    @Test("shapes, finiteness and options are validated")
    func validation() {
        expectQPError("Q 3x3, q 4", { if case .dimensionMismatch = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: .identity(3), q: [1, 1, 1, 1])
        }
        expectQPError("A without b", { if case .dimensionMismatch = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: .identity(2), q: [1, 1], A: Matrix(rowArrays: [[1, 1]])!)
        }
        expectQPError("G with 3 columns", { if case .dimensionMismatch = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: .identity(2), q: [1, 1], G: Matrix(rowArrays: [[1, 1, 1]])!, h: [1])
        }
        expectQPError("h too long", { if case .dimensionMismatch = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: .identity(2), q: [1, 1], G: Matrix(rowArrays: [[1, 1]])!, h: [1, 2])
        }
        expectQPError("NaN in q", { if case .nonFinite = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: .identity(2), q: [.nan, 1])
        }
        expectQPError("infinity in h", { if case .nonFinite = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: .identity(2), q: [1, 1], G: Matrix(rowArrays: [[1, 1]])!, h: [.infinity])
        }
        expectQPError("tolerance 0", { if case .invalidOptions = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: .identity(2), q: [1, 1]).solve(options: QPSolverOptions(tolerance: 0))
        }
        expectQPError("maxIterations 0", { if case .invalidOptions = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: .identity(2), q: [1, 1]).solve(options: QPSolverOptions(maxIterations: 0))
        }
    }

    @Test("Q must be symmetric within 1e-12 relative; rounding-level asymmetry is removed")
    func symmetry() throws {
        let msg = expectQPError("asymmetric Q", { if case .nonSymmetric = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: Matrix(rowArrays: [[2, 1], [0, 2]])!, q: [1, -1])
        }
        #expect(msg.contains("not symmetric"))
        expectQPError("asymmetry 1e-10 relative", { if case .nonSymmetric = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: Matrix(rowArrays: [[2, 1], [1 + 2e-10, 2]])!, q: [1, -1])
        }
        let p = try QuadraticProgram(Q: Matrix(rowArrays: [[2e6, 1e6], [1e6 + 1e-7, 2e6]])!, q: [1, -1])
        #expect(p.Q[0, 1] == p.Q[1, 0])
    }

    @Test("non-convex Q is detected")
    func nonConvex() {
        expectQPError("indefinite Q", { if case .nonConvex = $0 { return true }; return false }) {
            _ = try QuadraticProgram(Q: Matrix(rowArrays: [[1, 0], [0, -1]])!, q: [0, 0], G: box2, h: [1, 1, 1, 1]).solve()
        }
    }

    @Test("infeasible problems throw .infeasible with a certificate")
    func infeasible() {
        let isInfeasible: (QPError) -> Bool = { if case .infeasible = $0 { return true }; return false }
        // z1 <= 0 and z1 >= 1.
        let m1 = expectQPError("contradictory bounds", isInfeasible) {
            _ = try QuadraticProgram(Q: .identity(2), q: [1, 1], G: Matrix(rowArrays: [[1, 0], [-1, 0]])!, h: [0, -1]).solve()
        }
        #expect(m1.contains("Farkas"))
        // z1 + z2 = 3 inside the unit box.
        expectQPError("equality outside the box", isInfeasible) {
            _ = try QuadraticProgram(Q: .identity(2), q: [1, 1], A: Matrix(rowArrays: [[1, 1]])!, b: [3], G: box2, h: [1, 1, 1, 1]).solve()
        }
        // Dependent, inconsistent equalities.
        let m3 = expectQPError("inconsistent dependent equalities", isInfeasible) {
            _ = try QuadraticProgram(Q: .identity(3), q: [1, 0, -1], A: Matrix(rowArrays: [[1, 1, 0], [0, 1, 1], [1, 2, 1]])!, b: [1, 1, 3]).solve()
        }
        #expect(m3.contains("inconsistent"))
        // A zero row of G with h < 0.
        expectQPError("0 <= -1", isInfeasible) {
            _ = try QuadraticProgram(Q: .identity(2), q: [1, 1], G: Matrix(rowArrays: [[0, 0]])!, h: [-1]).solve()
        }
        // An LP-like infeasible problem (Q = 0).
        expectQPError("LP: z >= 0, sum z <= -1", isInfeasible) {
            _ = try QuadraticProgram(Q: Matrix(rows: 3, columns: 3), q: [1, 1, 1],
                                     G: Matrix(rowArrays: [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [1, 1, 1]])!, h: [0, 0, 0, -1]).solve()
        }
    }

    @Test("unbounded problems throw .unbounded with a direction")
    func unbounded() {
        let isUnbounded: (QPError) -> Bool = { if case .unbounded = $0 { return true }; return false }
        // LP: minimise -z1 with z >= 0, z2 <= 1.
        let m1 = expectQPError("unbounded LP", isUnbounded) {
            _ = try QuadraticProgram(Q: Matrix(rows: 2, columns: 2), q: [-1, 0],
                                     G: Matrix(rowArrays: [[-1, 0], [0, -1], [0, 1]])!, h: [0, 0, 1]).solve()
        }
        #expect(m1.contains("direction"))
        // PSD Q, q not in its range, no constraints.
        expectQPError("PSD, unconstrained", isUnbounded) {
            _ = try QuadraticProgram(Q: Matrix(rowArrays: [[1, 0], [0, 0]])!, q: [0, -1]).solve()
        }
        // PSD Q with an equality that leaves a free direction of descent.
        expectQPError("PSD with equality", isUnbounded) {
            _ = try QuadraticProgram(Q: Matrix(rowArrays: [[1, 0, 0], [0, 0, 0], [0, 0, 0]])!, q: [0, 1, 1],
                                     A: Matrix(rowArrays: [[0, 1, -1]])!, b: [0]).solve()
        }
    }

    @Test("max_iter exhausted throws .notConverged")
    func notConverged() {
        let k = KnownQP(n: 30, p: 3, m: 40, activeCount: 15, seed: 7)
        expectQPError("1 iteration", { if case .notConverged = $0 { return true }; return false }) {
            _ = try k.problem.solve(options: QPSolverOptions(maxIterations: 1))
        }
    }

    @Test("dependent equality rows are dropped, reported, and make the derivative unavailable")
    func dependentEqualities() throws {
        let p = try QuadraticProgram(Q: .identity(3), q: [1, 0, -1],
                                     A: Matrix(rowArrays: [[1, 1, 0], [0, 1, 1], [1, 2, 1]])!, b: [1, 1, 2])
        let s = try p.solve()
        #expect(s.activeSet.dependentEqualities.count == 1)
        #expect(s.report.kktResidual.maximum <= 1e-10)
        expectClose(p.A * s.z, p.b, rtol: 1e-13, "A z = b, dependent row included")
        for i in s.activeSet.dependentEqualities { #expect(s.lambda[i] == 0) }
        let msg = expectQPError("derivative", { if case .notDifferentiable = $0 { return true }; return false }) {
            _ = try s.derivative()
        }
        #expect(msg.contains("linearly dependent"))
    }

    @Test("linearly dependent active inequalities: solved, but not differentiable")
    func dependentActiveInequalities() throws {
        // min 1/2||z - (2,2)||^2 s.t. z1 <= 1, z2 <= 1, z1 + z2 <= 2: all three active at (1, 1).
        let p = try QuadraticProgram(Q: .identity(2), q: [-2, -2], G: Matrix(rowArrays: [[1, 0], [0, 1], [1, 1]])!, h: [1, 1, 2])
        let s = try p.solve()
        expectClose(s.z, [1, 1], rtol: 1e-10, "z")
        #expect(s.report.kktResidual.maximum <= 1e-10)
        let msg = expectQPError("derivative", { if case .notDifferentiable = $0 { return true }; return false }) {
            _ = try s.derivative()
        }
        #expect(msg.contains("linearly dependent") || msg.contains("weakly active"))
    }
}
