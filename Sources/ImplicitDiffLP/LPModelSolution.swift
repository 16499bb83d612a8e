/// A solved ``LPModel``: the columns' values, the optimal value and the row duals, with
/// the derivatives with respect to the model's parameters `c` and `rhs`
/// (``derivative(options:)``).
///
/// ```
/// value     = c'x + c0
/// rowDuals  = d value / d rhs      (one per constraint row, zero on inactive rows)
/// d value/d c = x
/// ```
public struct LPModelSolution: Sendable {
    /// The model solved.
    public let model: LPModel
    let rowMap: LPModelRowMap
    /// The solution of the ``LinearProgram`` form (the smoothed problem's after
    /// ``regularized(gamma:options:)``).
    public let formSolution: LinearProgramSolution

    init(model: LPModel, rowMap: LPModelRowMap, solution: LinearProgramSolution) {
        self.model = model
        self.rowMap = rowMap
        formSolution = solution
    }

    /// `-1` for maximisation (the form minimises `-c'x`), `+1` otherwise.
    var sense: Double { model.isMaximization ? -1 : 1 }

    /// The columns' values, file order.
    public var x: Vector { formSolution.z }

    /// The optimal value `c'x + c0` (for a smoothed solution: `c'x -/+ gamma/2 ||x||^2 + c0`).
    public var value: Double { sense * formSolution.value + model.objectiveConstant }

    /// `d value / d rhs`, one entry per constraint row.
    public var rowDuals: Vector {
        Vector(rowMap.rows.map { target in
            switch target {
            case let .equality(r): return -sense * formSolution.lambda[r]
            case let .inequality(r, sign): return -sense * sign * formSolution.mu[r]
            }
        })
    }

    /// The independent check of the answer on the ``LinearProgram`` form's data (the model's
    /// rows, with its finite bounds as rows), which this solution passed.
    public var certificate: LPCertificate { formSolution.certificate }

    /// The degeneracy of the vertex (in the terms of the form: rows of `A` and `G`).
    public var degeneracy: LPDegeneracy? { formSolution.degeneracy }

    /// The same model's smoothed solution `min c'x + gamma/2 ||x||^2` (maximisation:
    /// `max c'x - gamma/2 ||x||^2`), started from this vertex; its derivative is the
    /// smoothed one.
    public func regularized(gamma: Double, options: LPOptions = .init()) throws -> LPModelSolution {
        let s = try formSolution.problem.solveRegularized(gamma: gamma, startingFrom: formSolution, options: options)
        return LPModelSolution(model: model, rowMap: rowMap, solution: s)
    }

    /// The derivative of `(x, rowDuals, value)` with respect to `(c, rhs)`.
    ///
    /// - Throws: ``LPError/degenerate(_:)`` at a degenerate vertex (unless this solution is
    ///   a smoothed one).
    public func derivative(options: ImplicitOptions = .init()) throws -> LPModelDerivative {
        LPModelDerivative(solution: self, base: try formSolution.derivative(options: options))
    }
}
