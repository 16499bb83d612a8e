/// Helpers shared by the conformances. Not API.
enum ProxSupport {
    /// Throws unless `x` is a finite scalar `>= 0` (or `> 0` when `strictly`).
    static func checkNonNegative(_ x: Double, _ name: String, strictly: Bool = false) throws {
        guard x.isFinite else { throw ProxError.nonFinite(name) }
        guard strictly ? x > 0 : x >= 0 else {
            throw ProxError.invalidParameter("\(name) must be \(strictly ? "positive" : "non-negative"), got \(x)")
        }
    }

    /// Throws unless `parameters` has `count` entries.
    static func checkCount(_ parameters: Vector, _ count: Int, _ name: String) throws {
        guard parameters.count == count else {
            throw ProxError.dimensionMismatch("\(name) takes \(count) parameters, got \(parameters.count)")
        }
        guard parameters.isFinite else { throw ProxError.nonFinite("the parameters of \(name)") }
    }

    /// `sign(x)` with `sign(0) = 0`.
    @inlinable
    static func sign(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }

    /// An `n x 1` matrix with the entries of `v`.
    static func column(_ v: Vector) -> Matrix { Matrix(rows: v.count, columns: 1, scalars: v.scalars) }
}
