/// Which derivatives of a linear program's outputs exist at its optimal vertex: they are
/// decided for what is asked, not for everything.
///
/// At an optimal basis `B` the outputs are `z_B = B^-1 (rhs - N z_N)`, the duals
/// `y = B^-T c_B` and `value = c'z`. Two things can fail (``LPDegeneracy``):
/// * **dual degeneracy** (a nonbasic reduced cost at zero relative to its scale): a whole
///   edge or face is optimal and `z` is not unique;
/// * **primal degeneracy** (a basic variable at its bound): the duals are not unique, and
///   a change of a right-hand side can make the basis infeasible in one direction.
///
/// Hence, with `U` = "z unique" and `P` = "primal non-degenerate":
/// ```
///                    wrt c       wrt b, h, rhs     wrt A, G (constraint matrix)
/// value              U  (= z)    P  (= duals)      U and P  (= -(dual) z')
/// z                  U  (= 0)    U and P           U and P
/// lambda, mu, duals  U and P     P  (= 0)          U and P
/// ```
/// `d value / d c = z` needs only that `z` be unique, which holds at a primal-degenerate
/// vertex too: `value(c) = min over the feasible set of c'z` is concave, and it is
/// differentiable at `c` exactly where the minimiser is unique, with gradient `z`. By the
/// same argument on the dual, `d value / d rhs` = the duals needs only unique duals
/// (primal non-degeneracy). `dz/dc = 0` holds when `z` is unique: every nonbasic reduced
/// cost is then non-zero, so the basis stays optimal for small changes of `c`.
/// `d duals / d rhs = 0` holds when the basis stays feasible (`P`).
///
/// Uniqueness is first tested on the reduced costs `d` of the nonbasic variables (the
/// test of ``LPOptions``: `|d_j| <= tol * max(|c_j|, sum_i |K_ij pi_i|)`, default
/// `tol = 1e-9`): no zero reduced cost proves it. At a primal-degenerate vertex a zero
/// reduced cost often belongs to a degenerate pivot that does not move `z`, so for an
/// ``LPModel`` the candidates are then tried (``LPModelSolution/derivative()``): one
/// auxiliary LP, warm-started at the optimal basis, maximises their movement over the
/// optimal face with tolerance (a superset of the optimal set); a maximum of zero proves
/// that `z` is unique. Primal degeneracy is decided by the zero test on the basic
/// variables' distances to their bounds alone, which errs on the safe side (a
/// primal-degenerate vertex may still have unique duals).
public struct LPDifferentiability: Sendable, Equatable, CustomStringConvertible {
    /// The outputs, by the role they play.
    public enum Output: String, Sendable, CaseIterable {
        /// `z` (``LinearProgram``), `x` / `z` of an ``LPModel``.
        case solution
        /// `lambda`, `mu`, or an ``LPModel``'s row duals.
        case duals
        /// The optimal value.
        case value
    }

    /// The parameters, by the role they play.
    public enum Parameter: String, Sendable, CaseIterable {
        /// `c`.
        case objective
        /// `b`, `h`, or an ``LPModel``'s `rhs`.
        case rightHandSide
        /// `A`, `G`.
        case constraintMatrix
    }

    /// Whether `z` is unique (no dual degeneracy).
    public let solutionIsUnique: Bool
    /// Whether the vertex is primal non-degenerate (the duals are unique).
    public let dualsAreUnique: Bool

    /// The verdicts for a vertex with this degeneracy (`nil`: non-degenerate).
    public init(degeneracy: LPDegeneracy?) {
        solutionIsUnique = !(degeneracy?.isDual ?? false)
        dualsAreUnique = !(degeneracy?.isPrimal ?? false)
    }

    /// The verdicts given directly.
    public init(solutionIsUnique: Bool, dualsAreUnique: Bool) {
        self.solutionIsUnique = solutionIsUnique
        self.dualsAreUnique = dualsAreUnique
    }

    /// Whether the derivative of `output` with respect to `parameter` exists (see the table).
    public func exists(_ output: Output, wrt parameter: Parameter) -> Bool {
        switch (output, parameter) {
        case (.value, .objective), (.solution, .objective): return solutionIsUnique
        case (.value, .rightHandSide), (.duals, .rightHandSide): return dualsAreUnique
        default: return solutionIsUnique && dualsAreUnique
        }
    }

    public var description: String {
        switch (solutionIsUnique, dualsAreUnique) {
        case (true, true): return "non-degenerate vertex: every derivative exists"
        case (true, false): return "primal-degenerate vertex: derivatives with respect to c exist, not those with respect to the right-hand sides"
        case (false, true): return "dual-degenerate vertex (z not unique)"
        case (false, false): return "primal- and dual-degenerate vertex"
        }
    }

    /// Throws ``LPError/notDifferentiable(_:)`` unless every derivative of the named
    /// outputs with respect to the named parameters exists. The message names the
    /// parameters that are and are not differentiable for these outputs at this point,
    /// and the option that would help (`lp_smoothing`: the smoothed problem's derivative).
    public func require(outputs: [(name: String, role: Output)], parameters: [(name: String, role: Parameter)],
                 degeneracy: LPDegeneracy?) throws {
        var missing = [String]()
        for o in outputs {
            for p in parameters where !exists(o.role, wrt: p.role) { missing.append("d \(o.name)/d \(p.name)") }
        }
        guard !missing.isEmpty else { return }
        let asked = outputs.map(\.name)
        let good = parameters.filter { p in outputs.allSatisfy { exists($0.role, wrt: p.role) } }.map(\.name)
        let bad = parameters.filter { p in !outputs.allSatisfy { exists($0.role, wrt: p.role) } }.map(\.name)
        let everywhere = Parameter.allCases.filter { p in outputs.allSatisfy { exists($0.role, wrt: p) } }
        var message = "the derivative asked for does not exist at this vertex"
        if let degeneracy { message += " (\(degeneracy))" }
        message += ": \(missing.joined(separator: ", ")) do\(missing.count == 1 ? "es" : "") not exist. "
        message += "For the outputs \(asked.joined(separator: ", ")): "
            + (bad.isEmpty ? "" : "not differentiable with respect to \(bad.joined(separator: ", "))")
            + (good.isEmpty ? "" : (bad.isEmpty ? "" : "; ") + "differentiable with respect to \(good.joined(separator: ", "))")
        if everywhere.isEmpty && good.isEmpty { message += " (no parameter is differentiable for these outputs here)" }
        message += ". Ask only for derivatives that exist (\"wrt\""
            + (good.isEmpty ? "" : ", e.g. [\"\(good.joined(separator: "\", \""))\"]")
            + ") or set \"lp_smoothing\" (gamma > 0) for the derivative of the smoothed problem "
            + "min c'z + gamma/2 ||z||^2."
        throw LPError.notDifferentiable(message)
    }
}
