import Foundation
import Testing
@testable import ImplicitDiffQP

/// The QPS reader (``QPSModel``): conventions of the format checked on small files with
/// closed-form solutions, against the same problem given in coordinate form, and its
/// errors (by line).
@Suite struct QPSModelTests {
    /// min c'z + 1/2 z'Qz + c0 with Q = [2 1; 1 2] (QUADOBJ: the off-diagonal entry once),
    /// c = (-3, -3), c0 = 10 (RHS -10 on the objective row), s.t. x + y <= r = 1.5.
    /// Unconstrained minimiser Q^-1 (3, 3) = (1, 1) violates the row, so it binds:
    /// z = (r/2, r/2) = (0.75, 0.75), value(r) = -3r + 3r^2/4 + 10 = 7.1875,
    /// row dual d value/d r = -3 + 3r/2 = -0.75, multiplier y = 0.75 (upper side).
    static let lowerTriangle = """
    NAME          TWO
    ROWS
     N  COST
     L  SUM
    COLUMNS
        X         COST         -3.0   SUM          1.0
        Y         COST         -3.0   SUM          1.0
    RHS
        RHS       COST        -10.0   SUM          1.5
    QUADOBJ
        X         X             2.0
        Y         X             1.0
        Y         Y             2.0
    ENDATA
    """

    /// The same problem with QMATRIX (both triangles listed), in free format without an RHS set name.
    static let fullMatrix = """
    NAME TWO-FREE
    ROWS
     N COST
     L SUM
    COLUMNS
     X COST -3 SUM 1
     Y COST -3 SUM 1
    RHS
     COST -10 SUM 1.5
    QMATRIX
     X X 2
     X Y 1
     Y X 1
     Y Y 2
    ENDATA
    """

    func close(_ a: Double, _ b: Double, _ tol: Double = 1e-10, _ what: String = "") {
        #expect(abs(a - b) <= tol * max(1, abs(b)), "\(what): expected \(b), observed \(a), error \(abs(a - b))")
    }

    @Test("QUADOBJ lists one triangle (mirrored), QMATRIX both: same problem, closed-form solution")
    func closedForm() throws {
        for text in [Self.lowerTriangle, Self.fullMatrix] {
            let model = try QPSModel(parsing: text)
            #expect(model.problem.P.dense == Matrix(rowArrays: [[2, 1], [1, 2]]))
            #expect(model.columnNames == ["X", "Y"] && model.rowNames == ["SUM"] && model.objectiveName == "COST")
            close(model.objectiveConstant, 10)
            let s = try model.problem.solve()
            close(s.z[0], 0.75, 1e-10, "x")
            close(s.z[1], 0.75, 1e-10, "y")
            close(model.value(at: s.z), 7.1875, 1e-10, "value")
            close(model.rowDuals(s.y)[0], -0.75, 1e-10, "row dual")
            // Derivatives through the parameter map: on the line x + y = r, x = r/2 + t, y = r/2 - t and
            // the objective is 3r^2/4 + t^2 + (c1 + c2) r/2 + (c1 - c2) t, so t = (c2 - c1)/2 and
            // x = r/2 + (c2 - c1)/2: dx/dr = 1/2, dx/dc1 = -1/2, dx/dc2 = 1/2.
            let d = try s.derivative()
            let dz = try d.pushforward(try model.dataTangent(rhs: Vector([1]))).z
            close(dz[0], 0.5, 1e-10, "dx/dr")
            close(dz[1], 0.5, 1e-10, "dy/dr")
            let g = try model.parameterGradient(d.pullback(z: Vector([1, 0])))
            close(g.rhs[0], 0.5, 1e-10, "dx/dr (reverse)")
            close(g.c[0], -0.5, 1e-10, "dx/dc1")
            close(g.c[1], 0.5, 1e-10, "dx/dc2")
        }
    }

    /// Every row type with and without a range, every bound type, a free row, 1e30 as
    /// infinity, OBJSENSE MAX, fixed-format fields with a blank inside a name.
    static let conventions = """
    * a comment line
    NAME          CONVENTIONS
    OBJSENSE
        MAX
    ROWS
     N  OBJ
     E  EQPLUS
     E  EQMINUS
     L  LESS
     G  GREATER
     N  FREEROW
     E  PLAIN
     L  NOLIMIT
    COLUMNS
        X1        OBJ           1.0   EQPLUS        1.0
        X1        FREEROW       5.0   LESS          1.0
        X2        OBJ           2.0   EQMINUS       1.0
        X2        GREATER       1.0   PLAIN         1.0
        X 3       OBJ                1.0   NOLIMIT            1.0
        X4        OBJ           0.5   LESS          2.0
        X4        EQMINUS       1.0
        X5        OBJ           0.0   GREATER       1.0
        X6        OBJ           0.0   PLAIN         1.0
        X7        OBJ           0.0   EQPLUS        1.0
    RHS
        RHS       EQPLUS        1.0   EQMINUS       2.0
        RHS       LESS          3.0   GREATER       4.0
        RHS       FREEROW      99.0   PLAIN         5.0
        RHS       NOLIMIT     1e30
        OTHER     PLAIN        77.0
    RANGES
        RNG       EQPLUS        0.5   EQMINUS      -0.5
        RNG       LESS          2.0   GREATER      -3.0
    BOUNDS
     UP BND       X1           -1.0
     LO BND       X2           -2.0
     UP BND       X2           -1.0
     MI BND       X 3
     PL BND       X4
     FR BND       X5
     FX BND       X6            6.5
     UP BND       X7            1e30
     LO BND       X7           -1e30
     UP OTHERBND  X4            0.0
    QUADOBJ
        X1        X1           -1.0
        X2        X2           -1.0
        X 3       X 3          -1.0
        X4        X4           -1.0
        X5        X5           -1.0
        X6        X6           -1.0
        X7        X7           -1.0
    ENDATA
    """

    @Test("row sides, ranges, bound types and the objective's sense follow the MPS conventions")
    func conventions() throws {
        let m = try QPSModel(parsing: Self.conventions)
        let inf = Double.infinity
        #expect(m.name == "CONVENTIONS")
        #expect(m.sense == .maximize)
        #expect(m.columnNames == ["X1", "X2", "X 3", "X4", "X5", "X6", "X7"])
        #expect(m.rowNames == ["EQPLUS", "EQMINUS", "LESS", "GREATER", "PLAIN", "NOLIMIT"])  // FREEROW dropped
        // E, R > 0: [r, r + |R|]; E, R < 0: [r - |R|, r]; L: [r - |R|, r]; G: [r, r + |R|];
        // E without range: [r, r]; L with r = 1e30: no side. Only the first RHS set is read.
        #expect(m.problem.l.scalars == [1, 1.5, 1, 4, 5, -inf])
        #expect(m.problem.u.scalars == [1.5, 2, 3, 7, 5, inf])
        // UP < 0 without a lower bound frees it; with LO it stays; MI, PL, FR, FX; 1e30 is infinity;
        // the second bound set (OTHERBND) is skipped.
        #expect(m.problem.lb.scalars == [-inf, -2, -inf, 0, -inf, 6.5, -inf])
        #expect(m.problem.ub.scalars == [-1, -1, inf, inf, inf, 6.5, inf])
        // OBJSENSE MAX: the minimised problem is -(c'z + 1/2 z'Qz).
        #expect(m.c.scalars == [1, 2, 1, 0.5, 0, 0, 0])
        #expect(m.problem.q.scalars == [-1, -2, -1, -0.5, 0, 0, 0])
        #expect(m.problem.P.values.allSatisfy { $0 == 1 })
        #expect(m.problem.A.nonZeroCount == 11)  // the FREEROW entry is dropped
        // rhs moves every finite side; the tangent map and its adjoint agree.
        let t = try m.dataTangent(c: Vector([1, 1, 1, 1, 1, 1, 1]), rhs: Vector([1, 2, 3, 4, 5, 6]))
        #expect(t.l.scalars == [1, 2, 3, 4, 5, 0] && t.u.scalars == [1, 2, 3, 4, 5, 0])
        #expect(t.q.scalars.allSatisfy { $0 == -1 })
        var g = SparseQPParameters.zeros(like: m.problem)
        g.l = Vector([1, 1, 1, 1, 1, 1]); g.u = Vector([10, 10, 10, 10, 10, 10]); g.q = Vector([1, 2, 3, 4, 5, 6, 7])
        let back = m.parameterGradient(g)
        #expect(back.rhs.scalars == [11, 11, 11, 11, 11, 0])
        #expect(back.c.scalars == [-1, -2, -3, -4, -5, -6, -7])
    }

    @Test("the file's solution equals the coordinate-form problem's (maximisation, ranges, bounds)")
    func sameAsCoordinateForm() throws {
        let m = try QPSModel(parsing: Self.conventions)
        let s = try m.problem.solve()
        let inf = Double.infinity
        // The same problem typed in: max c'z - 1/2 ||z||^2 as min 1/2 ||z||^2 - c'z.
        let a = try SparseMatrix(rows: 6, columns: 7,
                                 rowIndices: [0, 2, 1, 3, 4, 5, 2, 1, 3, 4, 0],
                                 columnIndices: [0, 0, 1, 1, 1, 2, 3, 3, 4, 5, 6],
                                 values: [1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1])
        let typed = try SparseQuadraticProgram(
            P: SparseMatrix.identity(7), q: Vector([-1, -2, -1, -0.5, 0, 0, 0]), A: a,
            l: Vector([1, 1.5, 1, 4, 5, -inf]), u: Vector([1.5, 2, 3, 7, 5, inf]),
            lb: Vector([-inf, -2, -inf, 0, -inf, 6.5, -inf]), ub: Vector([-1, -1, inf, inf, inf, 6.5, inf]))
        let r = try typed.solve()
        #expect(s.polished && r.polished)
        for j in 0..<7 { close(s.z[j], r.z[j], 1e-12, "z[\(j)]") }
        close(m.value(at: s.z), -typed.objective(at: r.z), 1e-12, "value")
    }

    @Test("errors name the file and the line")
    func errors() throws {
        func syntaxLine(_ text: String) -> Int? {
            do { _ = try QPSModel(parsing: text); return nil } catch let QPSError.syntax(_, line, _) { return line } catch { return nil }
        }
        let unknownRow = Self.lowerTriangle.replacingOccurrences(of: "SUM          1.0\n    Y", with: "SUN          1.0\n    Y")
        #expect(syntaxLine(unknownRow) == 6)
        let badNumber = Self.lowerTriangle.replacingOccurrences(of: "-10.0", with: "-1x.0")
        #expect(syntaxLine(badNumber) == 9)
        let binary = Self.lowerTriangle.replacingOccurrences(of: "QUADOBJ", with: "BOUNDS\n BV BND       X\nQUADOBJ")
        #expect(syntaxLine(binary) == 11)
        let unknownSection = Self.lowerTriangle.replacingOccurrences(of: "QUADOBJ", with: "QUADRATIC")
        #expect(syntaxLine(unknownSection) == 10)
        // QMATRIX with one triangle only: not symmetric.
        let oneSided = Self.fullMatrix.replacingOccurrences(of: " Y X 1\n", with: "")
        #expect(throws: QPSError.self) { try QPSModel(parsing: oneSided) }
        do { _ = try QPSModel(parsing: oneSided) } catch let QPSError.invalidModel(_, message) {
            #expect(message.contains("not symmetric"))
        }
        // Missing file, and a folder.
        #expect(throws: QPSError.unreadable(path: "/nonexistent/x.qps", reason: "No such file or directory")) {
            try QPSModel(contentsOfFile: "/nonexistent/x.qps")
        }
        #expect(throws: QPSError.self) { try QPSModel(contentsOfFile: NSTemporaryDirectory()) }
    }

    @Test("a file is read line by line with the same result as the text, CRLF line ends included")
    func fromFile() throws {
        let path = NSTemporaryDirectory() + "implicitdiff-qps-\(UUID().uuidString).qps"
        try Self.lowerTriangle.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = try QPSModel(contentsOfFile: path), b = try QPSModel(parsing: Self.lowerTriangle)
        #expect(a.problem == b.problem)
        #expect(try SparseQuadraticProgram(qpsFile: path) == b.problem)
    }
}
