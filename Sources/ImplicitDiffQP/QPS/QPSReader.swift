import Glibc
import ImplicitDiffCore

/// The QPS parser: MPS (free or fixed format) with a quadratic objective section, read
/// line by line into coordinate lists, so that memory is proportional to the names and the
/// non-zeros, never to the file. Not API: use ``QPSModel/init(contentsOfFile:)``.
///
/// Records are split on blanks (free MPS, which also reads fixed-format files whose names
/// hold no blank); a record whose field count or fields do not fit its section is read
/// again by the fixed-format columns (2-3, 5-12, 15-22, 25-36, 40-47, 50-61), which
/// allows names with blanks. Sections:
/// * `NAME`, `OBJSENSE` (`MIN`/`MAX`, on the same line or the next), `OBJNAME`;
/// * `ROWS` (`N`, `E`, `L`, `G`): the objective is the `OBJNAME` row or the first `N` row,
///   other `N` rows are free rows and are dropped with their entries;
/// * `COLUMNS`: one or two (row, value) pairs per record; repeated entries are summed;
/// * `RHS`, `RANGES`, `BOUNDS`: the first set of each is read, records naming another set
///   are skipped; a right-hand side on the objective row is minus the objective's constant;
/// * `QUADOBJ` (also `QSECTION`): the objective is `c'z + 1/2 z'Qz` and each record gives
///   `Q_ij`; an off-diagonal record stands for `Q_ij` and `Q_ji` (one triangle listed);
///   `QMATRIX`: every entry of `Q` listed (both triangles); repeated entries are summed;
/// * `ENDATA`.
/// Rejected by line: integer markers and integer bound types (`BV`, `LI`, `UI`, `SC`: the
/// problem is continuous), quadratic constraints (`QCMATRIX`), unknown sections.
struct QPSReader {
    let path: String

    enum Section: Equatable {
        case none, rows, columns, rhs, ranges, bounds, objectiveSense, objectiveName, end
        /// `QUADOBJ`/`QSECTION` (`mirrored`: one triangle given) or `QMATRIX`.
        case quadratic(mirrored: Bool)
    }

    var name = ""
    var section = Section.none
    var sense = QPSModel.Sense.minimize
    var objectiveName: String?
    /// Row name -> constraint index (`>= 0`), ``objectiveRow``, or ``freeRow``.
    var rowIndex: [String: Int] = [:]
    static let objectiveRow = -1
    static let freeRow = -2
    var rowNames: [String] = []
    var rowTypes: [UInt8] = []
    var columnIndex: [String: Int] = [:]
    var columnNames: [String] = []
    var c: [Double] = []
    var aRows: [Int] = [], aColumns: [Int] = [], aValues: [Double] = []
    var pRows: [Int] = [], pColumns: [Int] = [], pValues: [Double] = []
    var rhs: [Double] = [], rhsGiven: [Bool] = []
    var range: [Double] = [], rangeGiven: [Bool] = []
    var lb: [Double] = [], ub: [Double] = [], lowerGiven: [Bool] = []
    var constant = 0.0, constantGiven = false
    var rhsSet: String?, rangeSet: String?, boundSet: String?
    var quadraticSection: String?
    var line = 0
    /// Set once a record's names and numbers are resolved and it starts to change the
    /// model: an error after that is not a reason to read the record as fixed format.
    var applying = false

    init(path: String) { self.path = path }

    /// `|v| >= 1e20` in a bound, right-hand side or range means "none" (the MPS habit of
    /// writing infinity as 1e30).
    static let infinity = 1e20

    // MARK: driving

    /// Reads the file to `ENDATA` (or its end).
    static func read(path: String) throws -> QPSModel {
        let source = try QPSLineSource(path: path)
        var reader = QPSReader(path: path)
        try source.forEachLine { bytes in
            reader.line = source.lineNumber
            try reader.consume(bytes)
            return reader.section != .end
        }
        return try reader.model()
    }

    /// Reads text held in memory (tests), `name` standing for the path in messages.
    static func read(text: String, name: String = "<text>") throws -> QPSModel {
        var reader = QPSReader(path: name)
        var number = 0
        for raw in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            reader.line = number
            var bytes = Array(raw)
            while let last = bytes.last, last == 0x0D { bytes.removeLast() }
            try bytes.withUnsafeBufferPointer { try reader.consume($0) }
            if reader.section == .end { break }
        }
        return try reader.model()
    }

    func fail(_ message: String) -> QPSError { .syntax(path: path, line: line, message: message) }

    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    static func tokens(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var out = [String](), start = -1
        out.reserveCapacity(6)
        for k in 0...bytes.count {
            let blank = k == bytes.count || isBlank(bytes[k])
            if blank {
                if start >= 0 { out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<k]), as: UTF8.self)); start = -1 }
            } else if start < 0 { start = k }
        }
        return out
    }

    /// The six fixed-format fields (columns 2-3, 5-12, 15-22, 25-36, 40-47, 50-61), trimmed.
    static func fixedFields(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        let spans = [(1, 3), (4, 12), (14, 22), (24, 36), (39, 47), (49, 61)]
        return spans.map { s in
            guard s.0 < bytes.count else { return "" }
            let slice = UnsafeBufferPointer(rebasing: bytes[s.0..<min(s.1, bytes.count)])
            return String(decoding: slice, as: UTF8.self).trimmingBlanks
        }
    }

    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard bytes.contains(where: { !Self.isBlank($0) }) else { return }  // blank line
        if bytes[0] == UInt8(ascii: "*") { return }  // comment
        if !Self.isBlank(bytes[0]) {
            try header(Self.tokens(bytes))
            return
        }
        let t = Self.tokens(bytes)
        switch section {
        case .none: throw fail("a data record before any section (NAME, ROWS, ...)")
        case .end: return
        case .objectiveSense: try setSense(t.joined(separator: " "))
        case .objectiveName: objectiveName = t.first
        default:
            // Free format first; if its fields do not fit, the fixed-format columns. A record
            // is checked (names known, numbers numbers) before anything of it is applied.
            applying = false
            do {
                try record(fixed: try freeFields(t), probe: false)
            } catch let free as QPSError where !applying {
                let fixed = Self.fixedFields(bytes)
                guard bytes.count >= 15, (try? record(fixed: fixed, probe: true)) != nil else { throw free }
                try record(fixed: fixed, probe: false)
            }
        }
    }

    mutating func header(_ t: [String]) throws {
        let keyword = t[0].uppercased()
        switch keyword {
        case "NAME": name = t.dropFirst().joined(separator: " ")
        case "ROWS": section = .rows
        case "COLUMNS": section = .columns
        case "RHS": section = .rhs
        case "RANGES": section = .ranges
        case "BOUNDS": section = .bounds
        case "QUADOBJ", "QSECTION", "QMATRIX":
            if let q = quadraticSection { throw fail("a second quadratic objective section \(keyword) (after \(q))") }
            quadraticSection = keyword
            section = .quadratic(mirrored: keyword != "QMATRIX")
        case "OBJSENSE":
            section = .objectiveSense
            if t.count > 1 { try setSense(t.dropFirst().joined(separator: " ")) }
        case "OBJSENS": section = .objectiveSense
        case "OBJNAME":
            section = .objectiveName
            if t.count > 1 { objectiveName = t[1] }
        case "ENDATA": section = .end
        case "QCMATRIX", "QCSECTION":
            throw fail("quadratic constraints (\(keyword)) are not supported: a QP has linear constraints")
        default:
            throw fail("unknown section '\(t[0])' (known: NAME, OBJSENSE, OBJNAME, ROWS, COLUMNS, RHS, RANGES, BOUNDS, QUADOBJ, QSECTION, QMATRIX, ENDATA)")
        }
    }

    mutating func setSense(_ word: String) throws {
        switch word.uppercased() {
        case "MIN", "MINIMIZE", "MINIMISE": sense = .minimize
        case "MAX", "MAXIMIZE", "MAXIMISE": sense = .maximize
        default: throw fail("OBJSENSE must be MIN or MAX, not '\(word)'")
        }
    }

    func number(_ s: String, _ what: String) throws -> Double {
        guard let v = Self.parseNumber(s), !v.isNaN else { throw fail("\(what) '\(s)' is not a number") }
        return v
    }

    /// A decimal number (C `strtod` on the bytes; a Fortran exponent `1.5D+03` is read as
    /// `1.5E+03`); `nil` unless the whole field is the number.
    static func parseNumber(_ text: String) -> Double? {
        var s = text
        return s.withUTF8 { buf -> Double? in
            guard !buf.isEmpty, buf.count < 128 else { return nil }
            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: buf.count + 1) { tmp -> Double? in
                for k in 0..<buf.count {
                    let b = buf[k]
                    tmp[k] = CChar(bitPattern: b == UInt8(ascii: "D") || b == UInt8(ascii: "d") ? UInt8(ascii: "E") : b)
                }
                tmp[buf.count] = 0
                guard let start = tmp.baseAddress else { return nil }
                var end: UnsafeMutablePointer<CChar>? = nil
                let v = strtod(start, &end)
                return end == start + buf.count ? v : nil
            }
        }
    }

    static func bounded(_ v: Double) -> Double {
        v >= infinity ? .infinity : (v <= -infinity ? -.infinity : v)
    }

    func column(_ s: String) throws -> Int {
        guard let j = columnIndex[s] else { throw fail("unknown column '\(s)' (not in COLUMNS)") }
        return j
    }

    func row(_ s: String) throws -> Int {
        guard let i = rowIndex[s] else { throw fail("unknown row '\(s)' (not in ROWS)") }
        return i
    }

    // MARK: records

    /// A free-format record as the six fixed-format fields (`""` for an empty field).
    func freeFields(_ t: [String]) throws -> [String] {
        var f = [String](repeating: "", count: 6)
        /// `t` placed from field `first` on.
        func place(from first: Int) { for k in t.indices { f[first + k] = t[k] } }
        switch section {
        case .rows:
            guard t.count == 2 else { throw fail("a ROWS record has 2 fields (type, name), this one has \(t.count)") }
            place(from: 0)
        case .columns:
            guard t.count == 3 || t.count == 5 else {
                throw fail("a COLUMNS record has 3 or 5 fields (column, row, value[, row, value]), this one has \(t.count)")
            }
            place(from: 1)
        case .rhs, .ranges:
            switch t.count {
            case 3, 5: place(from: 1)
            case 2, 4: place(from: 2)
            default: throw fail("an RHS or RANGES record has 2 to 5 fields ([set,] row, value[, row, value]), this one has \(t.count)")
            }
        case .bounds:
            let type = t.first?.uppercased() ?? ""
            let valued = !(type == "FR" || type == "MI" || type == "PL" || type == "BV")
            switch t.count {
            case 4: place(from: 0)
            case 3 where valued || columnIndex[t[2]] == nil: f[0] = t[0]; f[2] = t[1]; f[3] = t[2]
            case 3: place(from: 0)
            case 2 where !valued: f[0] = t[0]; f[2] = t[1]
            default: throw fail("a BOUNDS record has 2 to 4 fields (type, [set,] column[, value]), this one has \(t.count)")
            }
        case .quadratic:
            guard t.count == 3 || t.count == 5 else {
                throw fail("a \(quadraticSection ?? "QUADOBJ") record has 3 fields (column, column, value), this one has \(t.count)")
            }
            place(from: 1)
        default: break
        }
        return f
    }

    /// Applies one record given as the six fixed-format fields; with `probe`, only checks
    /// it (names known, numbers numbers) and changes nothing.
    mutating func record(fixed f: [String], probe: Bool) throws {
        switch section {
        case .rows: try rowRecord(type: f[0], name: f[1], probe: probe)
        case .columns:
            if f[2].utf8.first == UInt8(ascii: "'") && f[2].uppercased() == "'MARKER'" {
                throw fail("integer markers (MARKER 'INTORG') are not supported: a QP's variables are continuous")
            }
            guard !f[1].isEmpty else { throw fail("a COLUMNS record without a column name") }
            var pairs = [(try row(f[2]), try number(f[3], "coefficient"))]
            if !f[4].isEmpty || !f[5].isEmpty { pairs.append((try row(f[4]), try number(f[5], "coefficient"))) }
            if probe { return }
        applying = true
            let j = columnFor(f[1])
            for (i, v) in pairs {
                if i == Self.objectiveRow { c[j] += v } else if i >= 0 { aRows.append(i); aColumns.append(j); aValues.append(v) }
            }
        case .rhs, .ranges:
            let isRHS = section == .rhs
            let set = f[1]
            var pairs = [(try row(f[2]), try number(f[3], isRHS ? "right-hand side" : "range"), f[2])]
            if !f[4].isEmpty || !f[5].isEmpty { pairs.append((try row(f[4]), try number(f[5], isRHS ? "right-hand side" : "range"), f[4])) }
            if probe { return }
        applying = true
            // Only the first set is read.
            if isRHS { if rhsSet == nil { rhsSet = set } else if rhsSet != set { return } } else {
                if rangeSet == nil { rangeSet = set } else if rangeSet != set { return }
            }
            for (i, v, rowName) in pairs {
                if isRHS {
                    if i == Self.objectiveRow {
                        guard !constantGiven else { throw fail("a second right-hand side for the objective row '\(rowName)'") }
                        constant = -v
                        constantGiven = true
                    } else if i >= 0 {
                        guard !rhsGiven[i] else { throw fail("a second right-hand side for row '\(rowName)'") }
                        rhs[i] = v
                        rhsGiven[i] = true
                    }
                } else if i >= 0 {
                    guard !rangeGiven[i] else { throw fail("a second range for row '\(rowName)'") }
                    guard v.isFinite else { throw fail("the range of row '\(rowName)' is not finite") }
                    range[i] = v
                    rangeGiven[i] = true
                }
            }
        case .bounds:
            try boundRecord(type: f[0].uppercased(), set: f[1], column: f[2], value: f[3], probe: probe)
        case let .quadratic(mirrored):
            let i = try column(f[1])
            var pairs = [(try column(f[2]), try number(f[3], "quadratic coefficient"))]
            if !f[4].isEmpty || !f[5].isEmpty { pairs.append((try column(f[4]), try number(f[5], "quadratic coefficient"))) }
            if probe { return }
        applying = true
            for (j, v) in pairs {
                pRows.append(i); pColumns.append(j); pValues.append(v)
                if mirrored && i != j { pRows.append(j); pColumns.append(i); pValues.append(v) }
            }
        default: return
        }
    }

    mutating func rowRecord(type: String, name rowName: String, probe: Bool) throws {
        let t = type.uppercased()
        guard ["N", "E", "L", "G"].contains(t) else { throw fail("row type '\(type)' is not N, E, L or G") }
        guard !rowName.isEmpty else { throw fail("a ROWS record without a row name") }
        guard rowIndex[rowName] == nil else { throw fail("row '\(rowName)' is declared twice") }
        if probe { return }
        applying = true
        if t == "N" {
            let isObjective = objectiveName.map { $0 == rowName } ?? !rowIndex.values.contains(Self.objectiveRow)
            rowIndex[rowName] = isObjective ? Self.objectiveRow : Self.freeRow
            if isObjective { objectiveName = rowName }
            return
        }
        rowIndex[rowName] = rowNames.count
        rowNames.append(rowName)
        rowTypes.append(t.utf8.first!)
        rhs.append(0); rhsGiven.append(false)
        range.append(0); rangeGiven.append(false)
    }

    /// The index of a column, declared on first sight (columns in order of appearance).
    mutating func columnFor(_ s: String) -> Int {
        if let j = columnIndex[s] { return j }
        let j = columnNames.count
        columnIndex[s] = j
        columnNames.append(s)
        c.append(0)
        lb.append(0); ub.append(.infinity); lowerGiven.append(false)
        return j
    }

    mutating func boundRecord(type: String, set: String, column name: String, value: String, probe: Bool) throws {
        let j = try column(name)
        let v: Double
        switch type {
        case "UP", "LO", "FX": v = try number(value, "bound")
        case "FR", "MI", "PL": v = 0
        case "BV", "LI", "UI", "SC":
            throw fail("bound type \(type) makes column '\(name)' integer or semi-continuous: not supported (a QP's variables are continuous)")
        default: throw fail("bound type '\(type)' is not UP, LO, FX, FR, MI or PL")
        }
        if probe { return }
        applying = true
        if boundSet == nil { boundSet = set } else if boundSet != set { return }
        let b = Self.bounded(v)
        switch type {
        case "UP":
            ub[j] = b
            // MPS convention: a negative upper bound with the default lower bound 0 frees
            // the lower bound.
            if b < 0 && !lowerGiven[j] { lb[j] = -.infinity }
        case "LO": lb[j] = b; lowerGiven[j] = true
        case "FX":
            guard b.isFinite else { throw fail("column '\(name)' is fixed at an infinite value") }
            lb[j] = b; ub[j] = b; lowerGiven[j] = true
        case "FR": lb[j] = -.infinity; ub[j] = .infinity; lowerGiven[j] = true
        case "MI": lb[j] = -.infinity; lowerGiven[j] = true
        default: ub[j] = .infinity  // PL
        }
    }

    // MARK: the model

    /// Row sides from the type, right-hand side `r` and range `R` (MPS):
    /// `E`: `[r, r]`, or `[r, r + |R|]` (`R > 0`) / `[r - |R|, r]` (`R < 0`);
    /// `L`: `(-inf, r]` or `[r - |R|, r]`; `G`: `[r, inf)` or `[r, r + |R|]`.
    func model() throws -> QPSModel {
        guard rowIndex.values.contains(Self.objectiveRow) else {
            throw QPSError.invalidModel(path: path, message: objectiveName.map { "the objective row '\($0)' (OBJNAME) is not an N row of ROWS" } ?? "no objective row (an N row in ROWS)")
        }
        let n = columnNames.count, m = rowNames.count
        guard n > 0 else { throw QPSError.invalidModel(path: path, message: "no columns") }
        var l = [Double](repeating: 0, count: m), u = [Double](repeating: 0, count: m)
        var lowerMoves = [Bool](repeating: false, count: m), upperMoves = [Bool](repeating: false, count: m)
        for i in 0..<m {
            let r = Self.bounded(rhs[i]), a = abs(range[i])
            switch rowTypes[i] {
            case UInt8(ascii: "E"):
                if !rangeGiven[i] || range[i] == 0 { l[i] = r; u[i] = r } else if range[i] > 0 { l[i] = r; u[i] = r + a } else { l[i] = r - a; u[i] = r }
                lowerMoves[i] = true; upperMoves[i] = true
            case UInt8(ascii: "L"):
                u[i] = r; upperMoves[i] = true
                if rangeGiven[i] { l[i] = r - a; lowerMoves[i] = true } else { l[i] = -.infinity }
            default:  // G
                l[i] = r; lowerMoves[i] = true
                if rangeGiven[i] { u[i] = r + a; upperMoves[i] = true } else { u[i] = .infinity }
            }
            // A side that is infinite does not move with the right-hand side.
            if !l[i].isFinite { lowerMoves[i] = false }
            if !u[i].isFinite { upperMoves[i] = false }
            if !(l[i] <= u[i]) || l[i] == .infinity || u[i] == -.infinity {
                throw QPSError.invalidModel(path: path, message: "row '\(rowNames[i])' admits no value (\(l[i]) <= row <= \(u[i]))")
            }
        }
        for j in 0..<n where !(lb[j] <= ub[j]) || lb[j] == .infinity || ub[j] == -.infinity {
            throw QPSError.invalidModel(path: path, message: "column '\(columnNames[j])' has bounds \(lb[j]) > \(ub[j])")
        }
        let s: Double = sense == .minimize ? 1 : -1
        let problem: SparseQuadraticProgram
        do {
            let a = try SparseMatrix(rows: m, columns: n, rowIndices: aRows, columnIndices: aColumns, values: aValues)
            let p = try SparseMatrix(rows: n, columns: n, rowIndices: pRows, columnIndices: pColumns,
                                     values: s == 1 ? pValues : pValues.map { -$0 })
            problem = try SparseQuadraticProgram(P: p, q: Vector(c.map { s * $0 }), A: a, l: Vector(l), u: Vector(u),
                                                 lb: Vector(lb), ub: Vector(ub))
        } catch let e as QPError {
            if case let .nonSymmetric(asym, rel) = e {
                throw QPSError.invalidModel(path: path, message: "the quadratic objective (\(quadraticSection ?? "QMATRIX")) is not symmetric: max |Q_ij - Q_ji| = \(asym) (\(rel) relative); QMATRIX lists both triangles, QUADOBJ one")
            }
            throw QPSError.invalidModel(path: path, message: e.description)
        }
        return QPSModel(name: name, problem: problem, sense: sense, objectiveName: objectiveName ?? "",
                        objectiveConstant: constant, columnNames: columnNames, rowNames: rowNames,
                        c: Vector(c), rhs: Vector(rhs), lowerFollowsRHS: lowerMoves, upperFollowsRHS: upperMoves)
    }
}

extension String {
    /// Without leading and trailing blanks (spaces, tabs).
    var trimmingBlanks: String {
        let s = self.drop { $0 == " " || $0 == "\t" }
        var end = s.endIndex
        while end > s.startIndex, s[s.index(before: end)] == " " || s[s.index(before: end)] == "\t" { end = s.index(before: end) }
        return String(s[s.startIndex..<end])
    }
}
