/// An operator `B` (`n_y x n_x`) that can give `B E_S`, its columns in a
/// ``ParameterSelection``, without the work of the other columns (for instance skipping
/// the outer products of matrix blocks that are not asked for in `B' w`).
///
/// The conditions of the built-in modules return such a `B`, so that a layer in a subset
/// of its parameters (``ImplicitFunction/restricted(to:fixing:)``) computes only what it
/// needs. Any other operator is restricted by ``SelectedColumnsOperator``, which applies
/// `B` to the scattered tangent and gathers `B' w`.
public protocol ColumnSelectableOperator: AdjointableLinearOperator {
    /// `B E_S`, `rowCount x selection.count`.
    func selectingColumns(_ selection: ParameterSelection) -> any AdjointableLinearOperator
}

/// `B E_S` for any operator `B`: `v -> B (E_S v)` and `w -> E_S' (B' w)`.
public struct SelectedColumnsOperator: AdjointableLinearOperator {
    /// `B`.
    public let base: any AdjointableLinearOperator
    /// `S`.
    public let selection: ParameterSelection

    /// `base` restricted to the columns of `selection` (`selection.fullCount` must be
    /// `base.columnCount`).
    public init(base: any AdjointableLinearOperator, selection: ParameterSelection) {
        precondition(base.columnCount == selection.fullCount,
                     "SelectedColumnsOperator: \(base.columnCount) columns, selection of \(selection.fullCount)")
        self.base = base
        self.selection = selection
    }

    public var rowCount: Int { base.rowCount }
    public var columnCount: Int { selection.count }
    public func apply(_ v: Vector) -> Vector { base.apply(selection.scatter(v)) }
    public func applyTransposed(_ w: Vector) -> Vector {
        selection.gather(base.applyTransposed(w).materialized(count: selection.fullCount))
    }
}

extension ParameterSelection {
    /// `B E_S`: the operator's own restriction when it has one, else
    /// ``SelectedColumnsOperator``.
    public func selectingColumns(of b: any AdjointableLinearOperator) -> any AdjointableLinearOperator {
        if isComplete { return b }
        if let selectable = b as? any ColumnSelectableOperator { return selectable.selectingColumns(self) }
        return SelectedColumnsOperator(base: b, selection: self)
    }
}
