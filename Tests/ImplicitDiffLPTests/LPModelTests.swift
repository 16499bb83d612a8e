import Foundation
import Testing
@testable import ImplicitDiffLP

// Models read by GLPK's MPS and CPLEX LP readers from files the tests write.
// Wyndor Glass (Hillier & Lieberman): max 3 x + 5 y s.t. x <= 4, 2 y <= 12, 3 x + 2 y <= 18,
// x, y >= 0: optimum (2, 6), value 36, duals (0, 1.5, 1); with y = r2/2, x = (r3 - r2)/3.
// Here as the minimisation of -3 x - 5 y, plus a free N row (excluded) and a G row
// without RHS entry (rhs 0, inactive), and an inactive upper bound x <= 10.
// Tolerances: closed forms 1e-12, finite differences 1e-6 (see LPTestSupport.swift).

/// One fixed-format MPS data line: fields at columns 2-3, 5-12, 15-22, 25-36, 40-47, 50-61.
private func fixedLine(_ f1: String = "", _ f2: String, _ f3: String, _ f4: String, _ f5: String = "", _ f6: String = "") -> String {
    func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
    var line = " " + pad(f1, 2) + " " + pad(f2, 8) + "  " + pad(f3, 8) + "  " + pad(f4, 12)
    if !f5.isEmpty { line += "   " + pad(f5, 8) + "  " + f6 }
    return line
}

private let wyndorFixed = ([
    "NAME          WYNDOR",
    "ROWS",
    " N  PROFIT",
    " L  PLANT1",
    " L  PLANT2",
    " L  PLANT3",
    " N  NOTE",
    " G  TOTAL",
    "COLUMNS",
    fixedLine("", "DOORS", "PROFIT", "-3.0", "PLANT1", "1.0"),
    fixedLine("", "DOORS", "PLANT3", "3.0", "TOTAL", "1.0"),
    fixedLine("", "WINDOWS", "PROFIT", "-5.0", "PLANT2", "2.0"),
    fixedLine("", "WINDOWS", "PLANT3", "2.0", "NOTE", "1.0"),
    fixedLine("", "WINDOWS", "TOTAL", "1.0"),
    "RHS",
    fixedLine("", "RHS", "PLANT2", "12.0", "PLANT3", "18.0"),
    fixedLine("", "RHS", "PLANT1", "4.0"),
    "BOUNDS",
    fixedLine("UP", "BND", "DOORS", "10.0"),
    "ENDATA",
] as [String]).joined(separator: "\n") + "\n"

private let wyndorFree = """
NAME WYNDOR
ROWS
 N PROFIT
 L PLANT1
 L PLANT2
 L PLANT3
 N NOTE
 G TOTAL
COLUMNS
 DOORS PROFIT -3 PLANT1 1
 DOORS PLANT3 3 TOTAL 1
 WINDOWS PROFIT -5 PLANT2 2
 WINDOWS PLANT3 2 NOTE 1
 WINDOWS TOTAL 1
RHS
 RHS PLANT2 12 PLANT3 18
 RHS PLANT1 4
BOUNDS
 UP BND DOORS 10
ENDATA

"""

private let wyndorCPLEX = """
\\ Wyndor Glass, maximisation
Maximize
 profit: 3 doors + 5 windows
Subject To
 plant1: doors <= 4
 plant2: 2 windows <= 12
 plant3: 3 doors + 2 windows <= 18
 total: doors + windows >= 0
Bounds
 doors <= 10
End

"""

@Suite("LP models from MPS and CPLEX LP files")
struct LPModelTests {
    private func checkWyndor(_ model: LPModel, sense: Double) throws {
        #expect(model.columnNames.map { $0.uppercased() } == ["DOORS", "WINDOWS"])
        #expect(model.rowNames.map { $0.uppercased() } == ["PLANT1", "PLANT2", "PLANT3", "TOTAL"])
        expectClose(model.rhs, [4, 12, 18, 0], rtol: 1e-15, "rhs in file order, missing RHS = 0")
        #expect(model.rowSenses == [.lessOrEqual, .lessOrEqual, .lessOrEqual, .greaterOrEqual])
        let s = try model.solve()
        #expect(s.degeneracy == nil)
        expectClose(s.x, [2, 6], rtol: 1e-12, "x")
        expectClose(s.value, -36 * sense, rtol: 1e-12, "value")
        expectClose(s.rowDuals, sense * Vector([0, -1.5, -1, 0]), rtol: 1e-12, "row duals")
        let d = try s.derivative()
        // d value/d(c, rhs) = (x, row duals).
        let (gc, grhs, _) = try d.pullback(x: .zero, value: 1)
        expectClose(gc, s.x, rtol: 1e-12, "dvalue/dc = x")
        expectClose(grhs, s.rowDuals, rtol: 1e-12, "dvalue/drhs = row duals")
        // dx/drhs: x = (r3 - r2)/3, y = r2/2 (independent of the sense).
        expectClose(try d.pushforward(c: .zero, rhs: [0, 1, 0, 0]).x, [-1.0 / 3, 0.5], rtol: 1e-12, "dx/drhs2")
        expectClose(try d.pushforward(c: .zero, rhs: [0, 0, 1, 0]).x, [1.0 / 3, 0], rtol: 1e-12, floor: 1, "dx/drhs3")
        expectClose(try d.pushforward(c: [1, 0], rhs: .zero).x, [0, 0], rtol: 0, floor: 1, "dx/dc = 0")
        // Duals of the min form: pi3 = c1/3, pi2 = c2/2 - c1/3 (c the file's coefficients).
        expectClose(try d.pushforward(c: [1, 0], rhs: .zero).rowDuals, [0, -1.0 / 3, 1.0 / 3, 0], rtol: 1e-12, "drow_duals/dc1")
        // Reverse and forward agree: <xbar, dx> + <rbar, dduals> + vbar dvalue.
        let (dx, dr, dv, _) = try d.pushforward(c: [0.3, -0.7], rhs: [0.1, 0.2, -0.4, 0.5])
        let (bc, brhs, _) = try d.pullback(x: [1.5, -2], rowDuals: [0.2, 0.4, -1, 3], value: 0.7)
        let forward = Vector([1.5, -2]).dot(dx) + Vector([0.2, 0.4, -1, 3]).dot(dr) + 0.7 * dv
        let reverse = bc.dot([0.3, -0.7]) + brhs.dot([0.1, 0.2, -0.4, 0.5])
        expectClose(reverse, forward, rtol: 1e-12, "adjoint identity")
    }

    @Test func fixedFormatMPS() throws {
        let path = try lpTemporaryFile(wyndorFixed, suffix: ".mps")
        try checkWyndor(try LPModel.read(path: path, format: .mps), sense: 1)
    }

    @Test func freeFormatMPS() throws {
        let path = try lpTemporaryFile(wyndorFree, suffix: ".mps")
        try checkWyndor(try LPModel.read(path: path, format: .mps), sense: 1)
    }

    @Test func cplexLPMaximisation() throws {
        let path = try lpTemporaryFile(wyndorCPLEX, suffix: ".lp")
        let model = try LPModel.read(path: path, format: .cplexLP)
        #expect(model.isMaximization)
        try checkWyndor(model, sense: -1)
        // GLPK's own row duals of the maximisation agree: d value / d rhs.
        let native = try GLPKProblem.withProblem { glp -> [Double] in
            try glp.readCPLEXLP(path: path)
            #expect(try glp.simplex() == 0)
            return try glp.rowDuals()
        }
        expectClose(Vector(native), [0, 1.5, 1, 0], rtol: 1e-9, "GLPK row duals (max)")
    }

    @Test func rangesAndBadFilesAreRejected() throws {
        let ranged = wyndorFixed.replacingOccurrences(of: "BOUNDS", with: "RANGES\n" + fixedLine("", "RNG", "PLANT1", "2.0") + "\nBOUNDS")
        let rangedPath = try lpTemporaryFile(ranged, suffix: ".mps")
        #expect(throws: LPError.self) { try LPModel.read(path: rangedPath, format: .mps) }
        #expect(throws: LPError.self) { try LPModel.read(path: "/nonexistent/model.mps", format: .mps) }
        let garbage = try lpTemporaryFile("NAME X\nROWS\n Q  BAD\nENDATA\n", suffix: ".mps")
        do {
            _ = try LPModel.read(path: garbage, format: .mps)
            Issue.record("a malformed MPS file was accepted")
        } catch let LPError.invalidProblem(message) {
            #expect(message.contains("MPS"), "message: \(message)")
        }
        let badLP = try lpTemporaryFile("Minimize\n obj: x +\nSubject To\nEnd\n", suffix: ".lp")
        #expect(throws: LPError.self) { try LPModel.read(path: badLP, format: .cplexLP) }
        // A RANGES section past the first read (64 KB of comment lines inside the model).
        let padding = String(repeating: "* " + String(repeating: "x", count: 77) + "\n", count: 2000)
        let lateRanged = ranged.replacingOccurrences(of: "RANGES\n", with: padding + "RANGES\n")
        #expect(lateRanged.utf8.count > 2 * LPModelFile.headLength)
        #expect(throws: LPError.self) { try LPModel.read(path: try lpTemporaryFile(lateRanged, suffix: ".mps"), format: .mps) }
    }

    /// The RANGES scanner keeps its place across chunk boundaries, in any case, and takes
    /// `RANGES` only as a whole section name in column 1.
    @Test func rangesScannerAcrossChunks() {
        func found(_ chunks: [String]) -> Bool {
            var scanner = LPModelFile.RangesScanner()
            for chunk in chunks where scanner.scan(ArraySlice(chunk.utf8)) { return true }
            return scanner.finish()
        }
        #expect(found(["NAME X\nRAN", "GES\n"]))
        #expect(found(["NAME X\nranges", " \n"]))
        #expect(found(["NAME X\nRANGES"]))
        #expect(!found(["NAME X\n RANGES\n"]))
        #expect(!found(["NAME X\nRANGESX\n", "BOUNDS\n"]))
        #expect(!found(["NAME X\nRAN", "K\n"]))
    }

    /// Netlib KB2: the known optimal value, a non-degenerate vertex, and the value's
    /// derivative in rhs and c (= row duals and x) against central differences of the
    /// model solved again.
    @Test func netlibKB2() throws {
        let model = try LPModel.read(path: try lpTemporaryFile(LPNetlibModels.kb2, suffix: ".mps"), format: .mps)
        #expect(model.columnCount == 41 && model.rowCount == 43)
        let s = try model.solve()
        expectClose(s.value, -1.7499001299e3, rtol: 1e-10, "KB2 optimal value")
        #expect(s.degeneracy == nil)
        let (gc, grhs, _) = try s.derivative().pullback(x: .zero, value: 1)
        expectClose(grhs, s.rowDuals, rtol: 1e-12, "dvalue/drhs = row_duals")
        expectClose(gc, s.x, rtol: 1e-12, "dvalue/dc = x")
        let rows = Array(stride(from: 0, to: model.rowCount, by: 3))
        let fdRHS = try finiteDifferenceJacobian(at: model.rhs, indices: rows) { rhs in
            Vector([try model.linearProgram(rhs: rhs).solve().value])
        }
        expectClose(fdRHS.row(0), Vector(rows.map { s.rowDuals[$0] }), rtol: 1e-6, "FD dvalue/drhs")
        let columns = Array(stride(from: 0, to: model.columnCount, by: 4))
        let fdC = try finiteDifferenceJacobian(at: model.c, indices: columns) { c in
            Vector([try model.linearProgram(c: c).solve().value])
        }
        expectClose(fdC.row(0), Vector(columns.map { s.x[$0] }), rtol: 1e-6, "FD dvalue/dc")
        // dx along a random rhs direction.
        var rng = LPTestRandom(seed: 3)
        let direction = rng.vector(model.rowCount)
        let step = 1e-6
        let xp = try model.linearProgram(rhs: model.rhs + step * direction).solve().z
        let xm = try model.linearProgram(rhs: model.rhs - step * direction).solve().z
        let fd: Vector = (xp - xm) / (2 * step)
        expectClose(try s.derivative().pushforward(c: .zero, rhs: direction).x, fd, rtol: 1e-6, "FD dx/drhs")
    }

    /// Netlib AFIRO: the known optimal value at a primal- and dual-degenerate vertex (its
    /// optimum is not unique: HiGHS finds another optimal point, see
    /// Benchmarks/lp/check_uniqueness.py), every derivative refused with a message that
    /// names the parameters and `lp_smoothing`, and the smoothed derivative available.
    @Test func netlibAFIRO() throws {
        let model = try LPModel.read(path: try lpTemporaryFile(LPNetlibModels.afiro, suffix: ".mps"), format: .mps)
        let s = try model.solve()
        expectClose(s.value, -4.6475314286e2, rtol: 1e-10, "AFIRO optimal value")
        let degeneracy = try #require(s.degeneracy)
        #expect(degeneracy.isPrimal && degeneracy.isDual)
        let d = try s.derivative()
        #expect(!d.differentiability.solutionIsUnique && !d.differentiability.dualsAreUnique)
        do {
            _ = try d.pullback(x: .zero, value: 1, wrt: [.c])
            Issue.record("d value/d c was returned at a vertex whose optimum is not unique")
        } catch let LPError.notDifferentiable(message) {
            #expect(message.contains("lp_smoothing") && message.contains("d value/d c"), "message: \(message)")
        }
        let smoothed = try s.smoothedDerivative(gamma: 1e-3)
        let (gc, grhs, _) = try smoothed.pullback(x: Vector(repeating: 1, count: model.columnCount), value: 1)
        #expect(gc.isFinite && grhs.isFinite && gc.count == model.columnCount && grhs.count == model.rowCount)
    }
}
