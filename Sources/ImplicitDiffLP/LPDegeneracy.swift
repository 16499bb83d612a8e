import Glibc

/// What makes an optimal vertex degenerate, as found by the tests of ``LPOptions``.
///
/// * **Primal degeneracy**: a basic variable (a constraint's slack, or a bounded column)
///   sits at its bound, i.e. more constraints are active at `z` than the `n` that define
///   the vertex. The duals are then not unique and the optimal value has different
///   one-sided derivatives in some right-hand sides.
/// * **Dual degeneracy**: a nonbasic variable has zero reduced cost (or a column is
///   nonbasic and free), so the optimum `z` is not unique: a whole edge or face is optimal.
///
/// In both cases `z(c, A, b, G, h)` is not differentiable at the point; a smoothed
/// derivative can be asked for instead.
public struct LPDegeneracy: Sendable, Equatable, CustomStringConvertible {
    /// Basic variables at a bound, by name (e.g. `"inequality row 9"`), with the relative
    /// distance to the bound that was found.
    public var primal: [(name: String, relativeDistance: Double)]
    /// Nonbasic variables with zero reduced cost, by name, with the relative size found.
    public var dual: [(name: String, relativeReducedCost: Double)]

    /// A report with the given degenerate basics and nonbasics.
    public init(primal: [(name: String, relativeDistance: Double)] = [],
                dual: [(name: String, relativeReducedCost: Double)] = []) {
        self.primal = primal
        self.dual = dual
    }

    /// Whether the vertex is primal degenerate.
    public var isPrimal: Bool { !primal.isEmpty }
    /// Whether the vertex is dual degenerate.
    public var isDual: Bool { !dual.isEmpty }

    public static func == (l: LPDegeneracy, r: LPDegeneracy) -> Bool {
        l.primal.map(\.name) == r.primal.map(\.name) && l.dual.map(\.name) == r.dual.map(\.name)
            && l.primal.map(\.relativeDistance) == r.primal.map(\.relativeDistance)
            && l.dual.map(\.relativeReducedCost) == r.dual.map(\.relativeReducedCost)
    }

    public var description: String {
        var parts = [String]()
        if isPrimal {
            let list = primal.prefix(5).map { "\($0.name) (relative distance \(shortNumber($0.relativeDistance)))" }
            parts.append("primal-degenerate vertex: basic at its bound: " + list.joined(separator: ", ")
                         + (primal.count > 5 ? " and \(primal.count - 5) more" : ""))
        }
        if isDual {
            let list = dual.prefix(5).map { "\($0.name) (relative reduced cost \(shortNumber($0.relativeReducedCost)))" }
            parts.append("dual-degenerate vertex (optimum not unique): nonbasic with zero reduced cost: "
                         + list.joined(separator: ", ") + (dual.count > 5 ? " and \(dual.count - 5) more" : ""))
        }
        return parts.joined(separator: "; ")
    }
}

/// A short rendering of a small number for messages.
func shortNumber(_ x: Double) -> String {
    if x == 0 { return "0" }
    let e = Int((log10(abs(x))).rounded(.down))
    let m = x / pow(10, Double(e))
    return "\((m * 10).rounded() / 10)e\(e)"
}
