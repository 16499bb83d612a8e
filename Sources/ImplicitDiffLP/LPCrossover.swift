import _CGLPK

/// A basis guessed from an interior point iterate (``LPInteriorPoint``): the crossover's
/// first step. Not API.
///
/// Near the optimum, a variable `v_t` away from its bounds has distances `s` large and
/// bound duals `z` small, and one at an active bound the reverse (`s z ~ mu`). The ratio
/// ```
/// r_t = min(s_l / z_l, s_u / z_u)      (over the finite bounds of v_t)
/// ```
/// is therefore large for the basic variables of a strictly complementary optimum and
/// small for the nonbasic ones. The `m` entries of `v = (x, w)` with the largest ratios
/// (free ones first, fixed ones last) become basic; every other one is nonbasic at the
/// bound with the smaller ratio (GLPK's `GLP_NL` / `GLP_NU`; `GLP_NS` for fixed, `GLP_NF`
/// for free ones). Exactly `m` basic variables make a basis whenever it is nonsingular;
/// whether it is optimal is decided afterwards, by the vertex and duals recomputed from
/// it (``LPSolverForm/basicSolution(rowStatus:columnStatus:iterations:options:)``), never
/// by the iterate.
enum LPCrossover {
    /// GLPK statuses of the rows and columns of the form the iterate solved.
    static func statuses(_ it: LPInteriorPoint.Iterate, rows m: Int, columns n: Int) -> (rows: [Int32], columns: [Int32]) {
        let total = n + m
        var ratio = [Double](repeating: 0, count: total)
        for t in 0..<total {
            if it.isFixed[t] { ratio[t] = -.infinity; continue }
            var r = Double.infinity
            if it.hasLower[t] { r = min(r, it.sl[t] / max(it.zl[t], .leastNormalMagnitude)) }
            if it.hasUpper[t] { r = min(r, it.su[t] / max(it.zu[t], .leastNormalMagnitude)) }
            ratio[t] = r
        }
        let order = (0..<total).sorted { ratio[$0] > ratio[$1] || (ratio[$0] == ratio[$1] && $0 < $1) }
        var basic = [Bool](repeating: false, count: total)
        for t in order.prefix(m) { basic[t] = true }
        func status(_ t: Int) -> Int32 {
            if basic[t] { return GLP_BS }
            if it.isFixed[t] { return GLP_NS }
            switch (it.hasLower[t], it.hasUpper[t]) {
            case (true, true):
                return it.sl[t] / max(it.zl[t], .leastNormalMagnitude) <= it.su[t] / max(it.zu[t], .leastNormalMagnitude)
                    ? GLP_NL : GLP_NU
            case (true, false): return GLP_NL
            case (false, true): return GLP_NU
            case (false, false): return GLP_NF
            }
        }
        return ((0..<m).map { status(n + $0) }, (0..<n).map(status))
    }
}
