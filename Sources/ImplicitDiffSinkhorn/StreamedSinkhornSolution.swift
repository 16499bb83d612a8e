import Glibc

/// A ``SinkhornProblem`` between point clouds solved without its `n x m` cost matrix or
/// plan (``SinkhornProblem/solveStreaming(options:initialPotentials:)``): potentials,
/// cost, the cost's gradient and the certificate, in `O((n + m) d)` memory.
///
/// ```
/// P_ij = exp((f_i + g_j - C_ij) / eps),      sum(g) = 0         (never stored)
/// cost = f'(P 1) + g'(P' 1) - eps sum_ij P_ij
/// d cost / d x_i = 2 ((P 1)_i x_i - sum_j P_ij y_j),   d cost / d y_j = 2 ((P' 1)_j y_j - sum_i P_ij x_i)
/// d cost / d a = proj(f),  d cost / d b = proj(g),  d cost / d eps = sum_ij P_ij (log P_ij - 1)
/// ```
/// (envelope theorem, no linear solve), all from one final pass over the plan's blocks,
/// which also checks the answer as ``SinkhornCertificate`` does for a stored plan:
/// marginal and mass errors from compensated sums of the recomputed entries, every entry
/// finite and `>= 0`, and 4096 sampled entries equal to `exp((f_i + g_j - C_ij)/eps)`
/// recomputed with `Glibc.exp` from `C_ij = sum_k (x_ik - y_jk)^2`.
///
/// Unbalanced problems (``SinkhornProblem/tauA``, ``SinkhornProblem/tauB`` below 1) add
/// the marginal penalties to the cost and its gradient, and check the relaxed conditions
/// `P 1 = a o exp(-f / rho_a)`, `P' 1 = b o exp(-g / rho_b)`, as ``SinkhornSolution`` does.
///
/// The plan is available on demand (``plan()``, `n x m`), and ``densified()`` gives the
/// stored-matrix ``SinkhornSolution`` of the same potentials, whose
/// ``SinkhornSolution/derivative(options:)`` differentiates the plan and the potentials.
public struct StreamedSinkhornSolution: Sendable {
    /// The problem solved (point clouds).
    public let problem: SinkhornProblem
    /// Source potential `f` (`n`).
    public let f: Vector
    /// Target potential `g` (`m`), `sum(g) = 0` when balanced (unique as it is when unbalanced).
    public let g: Vector
    /// `<P, C> + eps sum P (log P - 1)`.
    public let cost: Double
    /// `sum_ij P_ij (log P_ij - 1)`: the derivative of the cost with respect to `eps`.
    public let entropyTerm: Double
    /// Iterations (passes of both potentials, or symmetric passes), over all stages.
    public let iterations: Int
    /// Number of epsilon-scaling stages.
    public let stages: Int
    /// The check of the returned potentials (see above); every solution returned by
    /// ``SinkhornProblem/solveStreaming(options:initialPotentials:)`` passes it.
    public let certificate: SinkhornCertificate
    /// The gradient of the cost with respect to `x`, `y`, `a`, `b` (projected to zero
    /// sum) and `eps`; ``SinkhornParameterTangent/costMatrix`` is empty.
    public let costGradient: SinkhornParameterTangent
    /// The cost's blocks (centred points), for the derivative's passes.
    let kernel: PointCloudKernel
    /// `P 1` and `P' 1` from the final pass.
    let rowSums: [Double]
    let columnSums: [Double]
    /// What the conditions ask of them (``SinkhornSolution`` has the same).
    let rowTargets: [Double]
    let columnTargets: [Double]

    /// The solution of `(f, g)` by one pass over the plan (gauge of `f`, `g` as given).
    init(problem: SinkhornProblem, kernel: PointCloudKernel, f: Vector, g: Vector, iterations: Int, stages: Int) {
        self.problem = problem
        self.f = f
        self.g = g
        self.iterations = iterations
        self.stages = stages
        self.kernel = kernel
        let eps = problem.epsilon, n = kernel.n, m = kernel.m, d = kernel.d
        let sums = kernel.planPass(f: f.scalars, g: g.scalars, epsilon: eps, products: true, samples: SinkhornCertificate.sampleSize)
        let rows = Vector(sums.rowSums), cols = Vector(sums.columnSums)
        rowSums = sums.rowSums
        columnSums = sums.columnSums
        let (ra, rb) = (problem.relaxationA, problem.relaxationB)
        let sa = ra.target(weights: problem.a.scalars, potential: f.scalars, epsilon: eps)
        let sb = rb.target(weights: problem.b.scalars, potential: g.scalars, epsilon: eps)
        rowTargets = sa
        columnTargets = sb
        // Unbalanced: the penalties rho KL(P 1 | a), rho KL(P' 1 | b) in the cost and d/d eps.
        var penalty = 0.0, penaltyEpsilon = 0.0
        if !problem.isBalanced {
            let pa = ra.penalty(marginal: rowSums, weights: problem.a.scalars, epsilon: eps)
            let pb = rb.penalty(marginal: columnSums, weights: problem.b.scalars, epsilon: eps)
            penalty = pa.value + pb.value
            penaltyEpsilon = pa.epsilonDerivative + pb.epsilonDerivative
        }
        cost = f.dot(rows) + g.dot(cols) - eps * sums.total + penalty
        entropyTerm = sums.plogp - sums.total + penaltyEpsilon
        var rowError = 0.0, columnError = 0.0
        for i in 0..<n { rowError += Swift.abs(rows[i] - sa[i]) }
        for j in 0..<m { columnError += Swift.abs(cols[j] - sb[j]) }
        let mass = problem.isBalanced ? problem.a.sum() : sa.reduce(0, +)
        let valid = sums.entriesAreValid && cost.isFinite && entropyTerm.isFinite && f.isFinite && g.isFinite
        certificate = SinkhornCertificate(rowMarginalError: rowError / mass, columnMarginalError: columnError / mass,
                                          massError: Swift.abs(sums.total - mass) / mass,
                                          entriesAreValid: valid && rowError.isFinite && columnError.isFinite)
        // d cost/d x_i = 2 (r_i x_i - (P Y)_i), d cost/d y_j = 2 (c_j y_j - (P' X)_j): the
        // centred coordinates give the same differences x_i - y_j.
        var gx = [Double](repeating: 0, count: n * d), gy = [Double](repeating: 0, count: m * d)
        for i in 0..<n { for k in 0..<d { gx[i * d + k] = 2 * (rows[i] * kernel.x[i * d + k] - sums.planTimesY[i * d + k]) } }
        for j in 0..<m { for k in 0..<d { gy[j * d + k] = 2 * (cols[j] * kernel.y[j * d + k] - sums.planTransposedTimesX[j * d + k]) } }
        var gradient = SinkhornParameterTangent(x: Matrix(rows: n, columns: d, scalars: gx), y: Matrix(rows: m, columns: d, scalars: gy),
                                                a: f.projectedToZeroSum(), b: g.projectedToZeroSum(), epsilon: entropyTerm)
        if !problem.isBalanced {
            gradient.a = Vector(ra.weightGradient(potential: f.scalars, epsilon: eps))
            gradient.b = Vector(rb.weightGradient(potential: g.scalars, epsilon: eps))
        }
        costGradient = gradient
    }

    /// The diagonal blocks of the linearised conditions (``SinkhornSolution/conditionDiagonals``).
    var conditionDiagonals: (rows: [Double], columns: [Double]) {
        if problem.isBalanced { return (rowSums, columnSums) }
        let ka = problem.relaxationA.kappa, kb = problem.relaxationB.kappa
        return ((0..<rowSums.count).map { rowSums[$0] + ka * rowTargets[$0] },
                (0..<columnSums.count).map { columnSums[$0] + kb * columnTargets[$0] })
    }

    /// `max(row, column marginal error)` of the certificate.
    public var marginalError: Double { certificate.marginalError }

    /// The plan `P` (`n x m`), computed from the potentials (allocates `n x m`).
    ///
    /// - Throws: as ``densified()``.
    public func plan() throws -> Matrix { try densified().plan }

    /// The stored-matrix solution of the same potentials (allocates the cost matrix and
    /// the plan, ``SinkhornProblem/denseArrayCount`` arrays at most with a derivative),
    /// certified; for the plan's and the potentials' derivatives.
    ///
    /// - Throws: ``SinkhornError/tooLarge(rows:columns:bytes:limit:)`` above
    ///   ``SinkhornProblem/denseStorageLimit``.
    public func densified() throws -> SinkhornSolution {
        try SinkhornProblem.checkStorage(rows: problem.sourceCount, columns: problem.targetCount)
        return SinkhornSolution(problem: problem, costMatrix: problem.costMatrix, f: f, g: g, iterations: iterations, stages: stages)
    }
}
