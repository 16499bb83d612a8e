/// Some blocks of a parameter vector `x` of length ``fullCount``, and the maps between `x`
/// and the vector `s` of the selected entries (the blocks concatenated in increasing order):
/// ```
/// s = E_S' x              (gather)
/// x = E_S s + E_F x_F     (embed: the other entries fixed)
/// dx = E_S ds             (scatter: zeros on the other entries)
/// ```
/// A layer in a subset of its parameters
/// (``ImplicitFunction/restricted(to:fixing:)``) is the implicit function of `s`, with
/// `B E_S` in place of `B`.
public struct ParameterSelection: Sendable, Hashable, CustomStringConvertible {
    /// The selected blocks of `x`, increasing, non-overlapping, non-empty.
    public let blocks: [Range<Int>]
    /// The length of `x`.
    public let fullCount: Int

    /// The selection of `blocks` (each within `0..<fullCount`, increasing and disjoint;
    /// empty blocks are dropped).
    public init(blocks: [Range<Int>], fullCount: Int) {
        let kept = blocks.filter { !$0.isEmpty }
        for (k, r) in kept.enumerated() {
            precondition(r.lowerBound >= 0 && r.upperBound <= fullCount,
                         "ParameterSelection: block \(r) outside 0..<\(fullCount)")
            precondition(k == 0 || kept[k - 1].upperBound <= r.lowerBound,
                         "ParameterSelection: blocks must be increasing and disjoint (\(kept))")
        }
        self.blocks = kept
        self.fullCount = fullCount
    }

    /// The length of `s`.
    public var count: Int { blocks.reduce(0) { $0 + $1.count } }

    /// Whether every entry of `x` is selected.
    public var isComplete: Bool { count == fullCount }

    public var description: String { "ParameterSelection(\(blocks) of \(fullCount))" }

    /// `s = E_S' x`: the selected entries (an empty `x`, the zero vector, gives zero).
    public func gather(_ x: Vector) -> Vector {
        if x.scalars.isEmpty { return x }
        precondition(x.count == fullCount, "ParameterSelection.gather: \(x.count) entries for \(fullCount)")
        var out = [Double]()
        out.reserveCapacity(count)
        for r in blocks { out += x.scalars[r] }
        return Vector(out)
    }

    /// `E_S s + E_F x_F`: `base` with the selected entries replaced by `s`.
    public func embed(_ s: Vector, into base: Vector) -> Vector {
        precondition(base.count == fullCount, "ParameterSelection.embed: base of \(base.count) entries for \(fullCount)")
        let s = s.materialized(count: count)
        var out = base.scalars
        var k = 0
        for r in blocks {
            out.replaceSubrange(r, with: s.scalars[k..<(k + r.count)])
            k += r.count
        }
        return Vector(out)
    }

    /// `E_S ds`: zeros outside the selection (an empty `ds`, the zero vector, stays zero).
    public func scatter(_ ds: Vector) -> Vector {
        if ds.scalars.isEmpty { return ds }
        return embed(ds, into: .zeros(fullCount))
    }

    /// Whether the selection contains the whole block `r` (for an operator that skips the
    /// work of the blocks it does not need).
    public func contains(_ r: Range<Int>) -> Bool {
        r.isEmpty || blocks.contains { $0.lowerBound <= r.lowerBound && r.upperBound <= $0.upperBound }
    }

    /// Whether the selection meets the block `r`.
    public func overlaps(_ r: Range<Int>) -> Bool {
        blocks.contains { $0.overlaps(r) }
    }
}
