import ImplicitDiff

/// Seeded SplitMix64 generator for reproducible sample problems.
public struct SampleGenerator: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed &* 0x2545_F491_4F6C_DD1D &+ 1 }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform entries in `range`.
    public mutating func vector(_ n: Int, in range: ClosedRange<Double> = -1...1) -> Vector {
        Vector((0..<n).map { _ in Double.random(in: range, using: &self) })
    }
    /// Uniform entries in `range`, row-major.
    public mutating func matrix(_ r: Int, _ c: Int, in range: ClosedRange<Double> = -1...1) -> Matrix {
        Matrix(rows: r, columns: c, scalars: vector(r * c, in: range).scalars)
    }
}

extension JSON {
    /// A vector as a JSON array.
    public init(_ v: Vector) { self = Tensor(v).json }
    /// A matrix as a JSON array of rows.
    public init(_ m: Matrix) { self = Tensor(m).json }
}
