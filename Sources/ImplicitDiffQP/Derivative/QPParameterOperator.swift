/// `B = dF/dx` of ``QPConditions`` on the parameter blocks `blocks` (all of them, or a
/// layer's subset): `B' w` computes only those blocks (``QPSensitivity``), so a layer in
/// `q` and `h` costs `O(n + m)` after the solve instead of `O(n^2 + (p + m) n)`. Not API.
struct QPParameterOperator: ColumnSelectableOperator, Sendable {
    let shape: QPShape
    let sensitivity: QPSensitivity
    let map: QPFullOrdering
    /// The blocks of `x` this operator's columns are, in the order of ``QPParameter``.
    let blocks: Set<QPParameter>

    var ordered: [QPParameter] { QPParameter.allCases.filter(blocks.contains) }
    var rowCount: Int { shape.solutionCount }
    var columnCount: Int { ordered.reduce(0) { $0 + $1.count(shape) } }

    func apply(_ dx: Vector) -> Vector {
        let full = ParameterSelection(blocks: ordered.map { shape.range(of: $0) }, fullCount: shape.parameterCount)
            .scatter(dx.materialized(count: columnCount))
        guard let t = try? shape.unpackParameters(full) else {
            return Vector(repeating: .nan, count: shape.solutionCount)
        }
        return map.expandRows(sensitivity.applyB(t), passthrough: nil)
    }

    func applyTransposed(_ w: Vector) -> Vector {
        let g = sensitivity.applyBTransposed(map.reduceColumns(w.materialized(count: shape.solutionCount)), blocks: blocks)
        var out = [Double]()
        out.reserveCapacity(columnCount)
        for parameter in ordered { out += g.flattened(parameter).scalars }
        return Vector(out)
    }

    func selectingColumns(_ selection: ParameterSelection) -> any AdjointableLinearOperator {
        // Whole blocks: compute only those; anything finer goes through the generic gather.
        let chosen = QPParameter.allCases.filter { selection.contains(shape.range(of: $0)) && $0.count(shape) > 0 }
        let covered = chosen.reduce(0) { $0 + $1.count(shape) }
        guard blocks.count == QPParameter.allCases.count, covered == selection.count else {
            return SelectedColumnsOperator(base: self, selection: selection)
        }
        return QPParameterOperator(shape: shape, sensitivity: sensitivity, map: map, blocks: Set(chosen))
    }
}
