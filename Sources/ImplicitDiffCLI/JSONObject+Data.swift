import ImplicitDiff

// Typed, checked access to the `data` object: every failure is an `invalid_input`
// error that names the field.
extension JSONObject {
    /// Whether `key` is present (and not null).
    public func has(_ key: String) -> Bool {
        if let v = self[key], v != .null { return true }
        return false
    }

    /// Fails on keys not in `allowed` (typos must not be silently ignored).
    public func rejectUnknownKeys(_ allowed: Set<String>, in what: String) throws {
        for k in keys where !allowed.contains(k) {
            throw CLIError.invalidInput("unknown field '\(k)' in \(what) (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// A required finite number.
    public func scalar(_ key: String) throws -> Double {
        guard let v = self[key] else { throw CLIError.invalidInput("missing field '\(key)'") }
        return try JSONObject.number(v, key)
    }

    /// An optional finite number.
    public func optionalScalar(_ key: String) throws -> Double? {
        guard let v = self[key], v != .null else { return nil }
        return try JSONObject.number(v, key)
    }

    /// A required non-negative integer.
    public func integer(_ key: String) throws -> Int {
        let d = try scalar(key)
        guard d == d.rounded(), d >= 0, d < 1e9 else { throw CLIError.invalidInput("'\(key)' must be a non-negative integer, got \(d)") }
        return Int(d)
    }

    /// A required string.
    public func string(_ key: String) throws -> String {
        guard let v = self[key] else { throw CLIError.invalidInput("missing field '\(key)'") }
        guard case let .string(s) = v else { throw CLIError.invalidInput("'\(key)' must be a string") }
        return s
    }

    /// A required vector of finite numbers.
    public func vector(_ key: String) throws -> Vector {
        guard let v = self[key] else { throw CLIError.invalidInput("missing field '\(key)'") }
        return try JSONObject.tensor(v, key, rank: 1).vector
    }

    /// An optional vector.
    public func optionalVector(_ key: String) throws -> Vector? {
        guard has(key) else { return nil }
        return try vector(key)
    }

    /// A required matrix (array of equally long rows) of finite numbers.
    public func matrix(_ key: String) throws -> Matrix {
        guard let v = self[key] else { throw CLIError.invalidInput("missing field '\(key)'") }
        if case .object = v {
            throw CLIError.invalidInput("'\(key)' is given in coordinate form, which this kind does not take for '\(key)': give it as an array of rows")
        }
        return try JSONObject.tensor(v, key, rank: 2).matrix
    }

    /// An optional matrix. An empty array `[]` is a matrix with no rows.
    public func optionalMatrix(_ key: String, columns: Int) throws -> Matrix? {
        guard has(key) else { return nil }
        if let a = self[key]!.elements, a.isEmpty { return Matrix(rows: 0, columns: columns) }
        return try matrix(key)
    }

    static func number(_ v: JSON, _ key: String) throws -> Double {
        guard case let .number(d) = v else { throw CLIError.invalidInput("'\(key)' must be a number") }
        guard d.isFinite else { throw CLIError.invalidInput("'\(key)' is not finite") }
        return d
    }

    /// A tensor of the given rank from nested arrays, checked rectangular and finite.
    public static func tensor(_ v: JSON, _ key: String, rank: Int) throws -> Tensor {
        switch rank {
        case 0:
            return Tensor(try number(v, key))
        case 1:
            var out = [Double]()
            try appendNumbers(v, to: &out, key: key)
            return Tensor(shape: [out.count], scalars: out)
        default:
            guard case let .array(rows) = v else { throw CLIError.invalidInput("'\(key)' must be an array of rows") }
            var out = [Double]()
            var cols = -1
            for (i, r) in rows.enumerated() {
                let before = out.count
                try appendNumbers(r, to: &out, key: key, row: i)
                let count = out.count - before
                if cols < 0 {
                    cols = count
                    out.reserveCapacity(rows.count * cols)
                } else if count != cols {
                    throw CLIError.invalidInput("'\(key)' is ragged: row \(i) has \(count) entries, row 0 has \(cols)")
                }
            }
            return Tensor(shape: [rows.count, max(cols, 0)], scalars: out)
        }
    }

    /// Appends the numbers of the array `v` (one row of `key`, or all of it), checked finite.
    private static func appendNumbers(_ v: JSON, to out: inout [Double], key: String, row: Int? = nil) throws {
        let place = { (j: Int) in row.map { "'\(key)[\($0)]'[\(j)]" } ?? "'\(key)'[\(j)]" }
        switch v {
        case let .numbers(values):
            if let j = values.firstIndex(where: { !$0.isFinite }) { throw CLIError.invalidInput("\(place(j)) is not finite") }
            out.append(contentsOf: values)
        case let .array(items):
            out.reserveCapacity(out.count + items.count)
            for (j, e) in items.enumerated() {
                guard case let .number(d) = e else { throw CLIError.invalidInput("\(place(j)) must be a number") }
                guard d.isFinite else { throw CLIError.invalidInput("\(place(j)) is not finite") }
                out.append(d)
            }
        default:
            let name = row.map { "'\(key)[\($0)]'" } ?? "'\(key)'"
            throw CLIError.invalidInput("\(name) must be an array of numbers")
        }
    }

    /// A tensor of exactly `shape` (used for cotangents and tangents). A vector of
    /// length 0 accepts `[]`.
    public static func tensor(_ v: JSON, _ key: String, shape: [Int]) throws -> Tensor {
        if shape.count == 2, v.elements?.isEmpty == true, shape[0] == 0 {
            return Tensor(shape: shape, scalars: [])
        }
        let t = try tensor(v, key, rank: shape.count)
        guard t.shape == shape else {
            throw CLIError.invalidInput("'\(key)' has shape \(t.shape) but \(shape) is expected")
        }
        return t
    }
}
