import Foundation
import Testing
@testable import ImplicitDiffQP

@Suite("scratch") struct QPScratch {
    func run(_ name: String, _ f: () throws -> QuadraticProgram) {
        do {
            let p = try f()
            let s = try p.solve()
            print("\(name): OK z=\(s.z.scalars.prefix(4)) it=\(s.report.iterations) polished=\(s.report.polished) active=\(s.activeSet.active) weak=\(s.activeSet.weaklyActive) dep=\(s.activeSet.dependentEqualities) \(s.report.kktResidual.maximum)")
        } catch { print("\(name): \(error)") }
    }
    @Test func probe() {
        run("infeasible box") { try QuadraticProgram(Q: .identity(2), q: [1, 1], G: Matrix(rowArrays: [[1, 0], [-1, 0]])!, h: [0, -1]) }
        run("infeasible eq") { try QuadraticProgram(Q: .identity(2), q: [1, 1], A: Matrix(rowArrays: [[1, 1], [1, 1]])!, b: [1, 2]) }
        run("infeasible eq+ineq") { try QuadraticProgram(Q: .identity(2), q: [1, 1], A: Matrix(rowArrays: [[1, 1]])!, b: [3], G: Matrix(rowArrays: [[1, 0], [0, 1]])!, h: [1, 1]) }
        run("unbounded LP") { try QuadraticProgram(Q: Matrix(rows: 2, columns: 2), q: [-1, 0], G: Matrix(rowArrays: [[-1, 0], [0, -1], [0, 1]])!, h: [0, 0, 1]) }
        run("unbounded PSD no constraints") { try QuadraticProgram(Q: Matrix(rowArrays: [[1, 0], [0, 0]])!, q: [0, -1]) }
        run("bounded PSD nonunique") { try QuadraticProgram(Q: Matrix(rowArrays: [[1, 0], [0, 0]])!, q: [1, 0]) }
        run("LP vertex") { try QuadraticProgram(Q: Matrix(rows: 2, columns: 2), q: [-1, -1], G: Matrix(rowArrays: [[1, 2], [3, 1], [-1, 0], [0, -1]])!, h: [4, 6, 0, 0]) }
        run("LP degenerate") { try QuadraticProgram(Q: Matrix(rows: 2, columns: 2), q: [-1, -1], G: Matrix(rowArrays: [[1, 0], [0, 1], [1, 1], [-1, 0], [0, -1]])!, h: [1, 1, 2, 0, 0]) }
        run("LP edge optimal") { try QuadraticProgram(Q: Matrix(rows: 2, columns: 2), q: [-1, -1], G: Matrix(rowArrays: [[1, 1], [-1, 0], [0, -1]])!, h: [1, 0, 0]) }
        run("nonconvex") { try QuadraticProgram(Q: Matrix(rowArrays: [[1, 0], [0, -1]])!, q: [0, 0], G: Matrix(rowArrays: [[1, 0], [-1, 0], [0, 1], [0, -1]])!, h: [1, 1, 1, 1]) }
        run("weak") { try QuadraticProgram(Q: .identity(2), q: [0, -1], G: Matrix(rowArrays: [[1, 0], [0, 1]])!, h: [0, 2]) }
        run("dependent eq") { try QuadraticProgram(Q: .identity(3), q: [1, 0, -1], A: Matrix(rowArrays: [[1, 1, 0], [0, 1, 1], [1, 2, 1]])!, b: [1, 1, 2]) }
        run("dependent inconsistent") { try QuadraticProgram(Q: .identity(3), q: [1, 0, -1], A: Matrix(rowArrays: [[1, 1, 0], [0, 1, 1], [1, 2, 1]])!, b: [1, 1, 3]) }
        run("scaled") { try QuadraticProgram(Q: 1e6 * Matrix.identity(2), q: [1e6, -3e6], G: Matrix(rowArrays: [[1e-3, 1e-3]])!, h: [1e-3]) }
        for seed in 0..<20 as Range<UInt64> {
            let k = KnownQP(n: 30, p: 3, m: 40, activeCount: 15, seed: 1000 + seed, rankDeficit: 10)
            run("psd \(seed)") { k.problem }
        }
        for seed in 0..<5 as Range<UInt64> {
            let k = KnownQP(n: 30, p: 3, m: 40, activeCount: 15, seed: 1000 + seed, rankDeficit: 30)
            run("lp-like \(seed)") { k.problem }
        }
    }
}
