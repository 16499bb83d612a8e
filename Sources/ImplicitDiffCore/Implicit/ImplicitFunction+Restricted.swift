extension ImplicitFunction {
    /// The same solution map as a function of some blocks of `x` only, the other entries
    /// held at their values in `base` (never differentiated):
    /// ```
    /// s = the entries of x in `blocks` (concatenated in increasing order)
    /// y(s) = y(E_S s + E_F x_F),      A dy = -(B E_S) ds,      A' w = ybar,  sbar = -(B E_S)' w
    /// ```
    /// The forward solver, the conditions' `A` and its factorisation are those of `self`;
    /// only `B` is replaced by its selected columns, which the built-in conditions compute
    /// without the other blocks (``ColumnSelectableOperator``), so a QP layer in `q`
    /// alone never forms the `n x n` gradient of `Q`.
    ///
    /// ```swift
    /// // a map of x = [u, theta] (u of length 3): differentiate in theta alone, u fixed
    /// let inTheta = f.restricted(to: [3..<x.count], fixing: x)
    /// let g = gradient(at: x.slice(3..<x.count)) { theta in inTheta(theta).sum() }
    /// ```
    ///
    /// - Parameters:
    ///   - blocks: the free blocks of `x`, increasing and disjoint, within `0..<base.count`.
    ///   - base: `x` at which the other entries are fixed (its entries in `blocks` are
    ///     ignored: they come from the argument of each call).
    public func restricted(to blocks: [Range<Int>], fixing base: Vector) -> ImplicitFunction<Byproduct> {
        let selection = ParameterSelection(blocks: blocks, fullCount: base.count)
        let solver = self.solver, outputCount = self.outputCount
        var restricted = ImplicitFunction(solver: { s in
            guard s.count == selection.count else {
                throw ImplicitDifferentiationError.dimensionMismatch(
                    "restricted parameters of length \(s.count); the selection \(selection.blocks) has \(selection.count)")
            }
            return try solver(selection.embed(s, into: base))
        }, conditions: RestrictedConditions(base: conditions, selection: selection, fixed: base), options: options)
        if let outputCount {
            restricted = restricted.withOutputCount { s in
                outputCount(s.count == selection.count ? selection.embed(s, into: base) : base)
            }
        }
        return restricted
    }
}

/// Conditions `F(E_S s + E_F x_F, y)` in `s`: ``ImplicitFunction/restricted(to:fixing:)``. Not API.
struct RestrictedConditions<Byproduct>: ImplicitConditions {
    let base: any ImplicitConditions<Byproduct>
    let selection: ParameterSelection
    let fixed: Vector

    func full(_ s: Vector) -> Vector { selection.embed(s, into: fixed) }

    func residual(x: Vector, y: Vector, byproduct: Byproduct) -> Vector {
        base.residual(x: full(x), y: y, byproduct: byproduct)
    }

    func linearize(x: Vector, y: Vector, byproduct: Byproduct) throws -> ConditionsLinearization {
        var lin = try base.linearize(x: full(x), y: y, byproduct: byproduct)
        let selection = self.selection
        lin.b = selection.selectingColumns(of: lin.b)
        if let fused = lin.fusedDerivative {
            lin.fusedDerivative = FusedDerivative(pushforward: { ds in fused.pushforward(selection.scatter(ds)) },
                                                  pullback: { ybar in
                                                      let (xbar, residual) = fused.pullback(ybar)
                                                      return (selection.gather(xbar.materialized(count: selection.fullCount)), residual)
                                                  })
        }
        return lin
    }
}
