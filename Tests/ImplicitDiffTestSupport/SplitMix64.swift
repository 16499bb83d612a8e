import Foundation
import ImplicitDiffCore

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014, doi:10.1145/2660193.2660195): a tiny, seeded, platform-independent
/// generator, so that every random test of every module reproduces bit for bit. Shared
/// by the test targets; not part of any product.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator started at `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// A number uniform in `range`.
    public mutating func uniform(_ range: ClosedRange<Double> = -1...1) -> Double { Double.random(in: range, using: &self) }

    /// An approximately standard normal number (Box-Muller).
    public mutating func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne...1, using: &self), v = uniform(0...1)
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }

    /// `n` entries uniform in `range`.
    public mutating func vector(_ n: Int, in range: ClosedRange<Double> = -1...1) -> Vector {
        Vector((0..<n).map { _ in uniform(range) })
    }

    /// `rows x columns` entries uniform in `range`, drawn row by row.
    public mutating func matrix(_ rows: Int, _ columns: Int, in range: ClosedRange<Double> = -1...1) -> Matrix {
        Matrix(rows: rows, columns: columns, scalars: vector(rows * columns, in: range).scalars)
    }

    /// `n` standard normal entries.
    public mutating func normalVector(_ n: Int) -> Vector { Vector((0..<n).map { _ in normal() }) }

    /// `rows x columns` standard normal entries, drawn row by row.
    public mutating func normalMatrix(_ rows: Int, _ columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, scalars: normalVector(rows * columns).scalars)
    }
}
