import _CGLPK

/// The edge of one uniqueness candidate, measured by the forward solve's ratio test
/// (``LPSolverForm/hasOptimalEdge(_:basis:examined:)``). Not API.
struct LPCandidateEdge: Sendable {
    /// GLPK's index of the candidate (`i < m`: row `i`'s auxiliary; `m + j`: column `j`).
    let candidate: Int
    /// Its own range `u_q - l_q` (may be infinite).
    let range: Double
    /// `d value(v_k) / d t` for the basic variable in each basis position `k` when the
    /// candidate moves by `t` away from its bound (`-sigma B^-1 N_q`, entries below the
    /// ratio test's cutoff set to 0); empty when not kept (more than two candidates).
    let changes: [Double]
}

extension LPSolverForm {
    /// The uniqueness test of ``optimumIsUnique(_:options:)`` for one or two candidates,
    /// without an auxiliary LP; `nil` when an edge was not measured (then the LP runs).
    ///
    /// With the nonbasic variables outside `D` at their bounds, the basic ones are affine
    /// in the candidates' movements `t >= 0`: `v_B(t) = v_B + C t` with `C` the measured
    /// edges. So the face of the auxiliary LP is exactly the polygon
    /// ```
    /// P = { t in [0, range_1] x [0, range_2] :  l_k <= v_k + C_k t <= u_k  for every basis position k }
    /// ```
    /// (a segment for one candidate), and the auxiliary LP maximises `t_1 + t_2` over it.
    /// `P` is built by clipping the box with each half-plane (rooms below zero, rounding at
    /// a degenerate bound, count as 0, as in the ratio test), and its vertex maximising
    /// `t_1 + t_2` is the LP's optimum: `x` is unique when no candidate moves there beyond
    /// ``uniquenessMovementTolerance`` relative to `1 + |value|`, the LP's own threshold.
    /// Infinite ranges or rooms are capped at `1e30`: a face that long is not a point.
    func planarFaceIsPoint(_ s: LPBasicSolution, candidates: [Int]) -> Bool? {
        let m = rowCount
        guard !s.basisHeader.isEmpty else { return nil }
        var edges = [LPCandidateEdge]()
        for q in candidates {
            guard let e = s.candidateEdges.first(where: { $0.candidate == q }), e.changes.count == s.basisHeader.count else { return nil }
            edges.append(e)
        }
        let cap = 1e30
        func value(_ v: Int) -> Double { v < m ? s.rowActivity[v] : s.x[v - m] }
        func bounds(_ v: Int) -> (Double, Double) { v < m ? (rowLower[v], rowUpper[v]) : (columnLower[v - m], columnUpper[v - m]) }
        let r1 = min(edges[0].range, cap), r2 = edges.count > 1 ? min(edges[1].range, cap) : 0
        var polygon: [(Double, Double)] = [(0, 0), (r1, 0), (r1, r2), (0, r2)]
        /// Clips `polygon` to `a1 t1 + a2 t2 <= b` (Sutherland-Hodgman).
        func clip(_ a1: Double, _ a2: Double, _ b: Double) {
            var out = [(Double, Double)]()
            for (i, p) in polygon.enumerated() {
                let q = polygon[(i + 1) % polygon.count]
                let fp = a1 * p.0 + a2 * p.1 - b, fq = a1 * q.0 + a2 * q.1 - b
                if fp <= 0 { out.append(p) }
                if (fp < 0 && fq > 0) || (fp > 0 && fq < 0) {
                    let w = fp / (fp - fq)
                    out.append((p.0 + w * (q.0 - p.0), p.1 + w * (q.1 - p.1)))
                }
            }
            polygon = out
        }
        for (k, v) in s.basisHeader.enumerated() {
            let c1 = edges[0].changes[k], c2 = edges.count > 1 ? edges[1].changes[k] : 0
            guard c1 != 0 || c2 != 0 else { continue }
            let (l, u) = bounds(v), x = value(v)
            if u.isFinite { clip(c1, c2, min(max(u - x, 0), cap)) }
            if l.isFinite { clip(-c1, -c2, min(max(x - l, 0), cap)) }
            if polygon.isEmpty { return true }  // only rounding can cut off t = 0: no movement
        }
        guard let best = polygon.max(by: { $0.0 + $0.1 < $1.0 + $1.1 }) else { return true }
        let tol = Self.uniquenessMovementTolerance
        if best.0 > tol * (1 + abs(value(edges[0].candidate))) { return false }
        if edges.count > 1, best.1 > tol * (1 + abs(value(edges[1].candidate))) { return false }
        return true
    }
}
