/// The gradient condition of ridge regression with its exact linearisation (see
/// ``RidgeRegression``). The byproduct is the solver's `X'X + lambda I` with its
/// factorisation, reused as `A` and its factorisation.
public struct RidgeConditions: ImplicitConditions {
    /// `N`, the rows of `X`.
    public let rows: Int
    /// `n`, the columns of `X`.
    public let columns: Int

    /// The conditions of problems with `X` of shape `rows x columns`.
    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }

    public func residual(x: Vector, y w: Vector, byproduct: RidgeFactors) -> Vector {
        guard let p = try? RidgeRegression.unpack(x, rows: rows, columns: columns) else {
            return Vector(repeating: .nan, count: w.count)
        }
        let r = p.design * w - p.targets
        return p.design.transposedTimes(r) + p.lambda * w
    }

    public func linearize(x: Vector, y w: Vector, byproduct: RidgeFactors) throws -> ConditionsLinearization {
        let p = try RidgeRegression.unpack(x, rows: rows, columns: columns)
        let solution = RidgeSolution(problem: p, w: w, factors: byproduct)
        return solution.linearization
    }
}
