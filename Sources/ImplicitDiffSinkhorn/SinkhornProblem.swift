import Glibc
import _ImplicitDiffKernels

/// An entropy-regularised optimal transport problem between two discrete measures:
/// ```
/// P* = argmin  <P, C> + eps * sum_ij P_ij (log P_ij - 1)
///      over P >= 0 with P 1 = a, P' 1 = b
/// ```
/// with a cost matrix `C` (`n x m`), or point clouds `x` (`n x d`) and `y` (`m x d`) with
/// `C_ij = ||x_i - y_j||^2`. Its dual has potentials `f` (`n`) and `g` (`m`) with
/// ```
/// P_ij = exp((f_i + g_j - C_ij) / eps),    P 1 = a,    P' 1 = b
/// ```
/// defined up to `(f + t, g - t)`; solutions report the pair with `sum(g) = 0`.
///
/// **Unbalanced transport** (``tauA``, ``tauB`` in `(0, 1]`, ott-jax's convention): a
/// marginal with `tau < 1` is relaxed by a Kullback-Leibler penalty,
/// ```
/// P* = argmin  <P, C> + eps sum_ij P_ij (log P_ij - 1) + rho_a KL(P 1 | a) + rho_b KL(P' 1 | b)
/// rho = eps tau / (1 - tau),     KL(r | a) = sum_i r_i log(r_i / a_i) - r_i + a_i
/// ```
/// (`tau = 1`: the marginal is imposed exactly, the default). The dual conditions become
/// `P 1 = a o exp(-f / rho_a)`, `P' 1 = b o exp(-g / rho_b)`, the fixed point of
/// `f <- tau_a (eps log a - eps LSE_j((g_j - C_ij)/eps))` (and alike for `g`). When either
/// `tau < 1` the potentials are unique (no gauge: `(f + t, g - t)` changes the relaxed
/// condition), they are reported as they are, and the masses `sum(a)`, `sum(b)` may
/// differ.
///
/// Edge cases: the weights must be positive (zero weights are rejected, see
/// ``SinkhornError/nonPositiveWeight(marginal:index:value:)``), their sums equal to
/// `1e-9` relative when balanced (they need not be 1), `eps > 0`, `tau` in `(0, 1]`, and
/// all data finite.
///
/// **Forbidden routes.** A cost entry `C_ij >= forbiddenCostThreshold` (`1e15`; write
/// `+infinity` as any such number, e.g. `1e308`) is a forbidden route: its kernel entry
/// `exp(-C_ij/eps)` is taken as exactly `0`, so `P_ij = 0` whatever `eps`, and the
/// derivatives of every output with respect to `C_ij` are `0`
/// (<doc:SinkhornDerivativeConventions>). Entries `C_ij <= -forbiddenCostThreshold` are
/// rejected. Point-cloud costs are never treated as forbidden.
///
/// **Size.** ``solve(options:)`` stores `n x m` arrays: it refuses problems whose dense
/// arrays would exceed ``denseStorageLimit`` (``SinkhornError/tooLarge(rows:columns:bytes:limit:)``)
/// before allocating them (a cost matrix: in the initialiser). Point clouds of any size
/// are solved in `O((n + m) d)` memory by ``solveStreaming(options:initialPotentials:)``.
///
/// ```swift
/// let problem = try SinkhornProblem(x: x, y: y, a: a, b: b, epsilon: 0.05)
/// let solution = try problem.solve()
/// let dx = solution.costGradient.x          // d cost / d x, no linear solve
/// ```
public struct SinkhornProblem: Sendable, Equatable {
    /// Where the cost matrix comes from.
    public enum Geometry: Sendable, Equatable {
        /// A given cost matrix `C` (`n x m`).
        case costMatrix(Matrix)
        /// Point clouds `x` (`n x d`) and `y` (`m x d`), `C_ij = ||x_i - y_j||^2`.
        case pointClouds(x: Matrix, y: Matrix)
    }

    /// The cost matrix or the point clouds.
    public let geometry: Geometry
    /// Source weights (`n`, positive).
    public let a: Vector
    /// Target weights (`m`, positive, `sum(b) = sum(a)`).
    public let b: Vector
    /// The regularisation `eps > 0`.
    public let epsilon: Double
    /// The relaxation of the source marginal, in `(0, 1]`: `1` imposes `P 1 = a` (the
    /// default), `tau < 1` penalises `rho_a KL(P 1 | a)` with `rho_a = eps tau / (1 - tau)`.
    public let tauA: Double
    /// The relaxation of the target marginal (as ``tauA``, for `P' 1` and `b`).
    public let tauB: Double
    /// The number of forbidden routes: entries of `C` at or above
    /// ``forbiddenCostThreshold`` (always `0` for point clouds).
    public let forbiddenRouteCount: Int

    /// The cost from which a route is forbidden: `C_ij >= 1e15` means `P_ij = 0` exactly
    /// (a common way of writing "no route"; JSON has no infinity, so `1e308` is another).
    /// A real cost this large relative to the others could not be resolved anyway: next
    /// to it, `f_i + g_j - C_ij` keeps no digit of a cost of order 1 and `exp` of it
    /// underflows for every `eps < 1e12`.
    public static let forbiddenCostThreshold = 1e15

    /// ``forbiddenCostThreshold`` as messages write it (`1e+15`).
    static var forbiddenCostThresholdText: String { cFormatted(forbiddenCostThreshold, "%g") }

    /// The largest number of bytes the dense `n x m` arrays of one problem may take:
    /// 4 GiB. A problem needs `denseArrayCount * 8 * n * m` bytes; above the limit the
    /// cost-matrix initialiser and, for point clouds, ``solve(options:)`` and
    /// ``StreamedSinkhornSolution/densified()`` throw
    /// ``SinkhornError/tooLarge(rows:columns:bytes:limit:)`` before anything of size
    /// `n x m` is allocated (``solveStreaming(options:initialPotentials:)`` has no limit). Example: 6 arrays of `n = m = 9000` take 3.9 GB and pass; 19 000
    /// points on each side need 17 GB and are refused.
    public static let denseStorageLimit = 4 << 30

    /// How many dense `n x m` arrays of `Double` a solve followed by one derivative keeps
    /// at its peak, counted for ``denseStorageLimit``: the cost matrix `C`; the
    /// iteration's stabilised kernel, a masked copy of `C` when routes are forbidden (or,
    /// before the iteration, the feasibility check's flows); the plan; the Newton polish's
    /// candidate plan and Schur workspace; and a derivative's work arrays (pullback:
    /// `P o Pbar / eps` and `Cbar`; pushforward: `dC`, `dC + log(P) d eps` and `dP`) next
    /// to `C` and the plan. Six at most.
    public static let denseArrayCount = 6

    /// The bytes of ``denseArrayCount`` dense `n x m` arrays of `Double`, or `nil` when
    /// the count overflows `Int`.
    public static func denseStorageBytes(rows n: Int, columns m: Int) -> Int? {
        let (entries, o1) = n.multipliedReportingOverflow(by: m)
        let (bytes, o2) = entries.multipliedReportingOverflow(by: 8 * denseArrayCount)
        return o1 || o2 ? nil : bytes
    }

    /// Throws ``SinkhornError/tooLarge(rows:columns:bytes:limit:)`` when `n x m` dense
    /// storage exceeds ``denseStorageLimit`` (what ``solve(options:)`` checks first).
    public static func checkStorage(rows n: Int, columns m: Int) throws {
        let bytes = denseStorageBytes(rows: n, columns: m)
        guard let bytes, bytes <= denseStorageLimit else {
            throw SinkhornError.tooLarge(rows: n, columns: m, bytes: bytes ?? .max, limit: denseStorageLimit)
        }
    }

    /// A problem with a cost matrix `C` (`n x m`). Entries `>= forbiddenCostThreshold`
    /// are forbidden routes (see above).
    ///
    /// - Throws: ``SinkhornError`` when shapes do not fit, data is not finite, a weight is
    ///   not positive, the masses differ, `epsilon <= 0`, an entry is
    ///   `<= -forbiddenCostThreshold`, or the problem exceeds ``denseStorageLimit``.
    public init(costMatrix: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1) throws {
        guard costMatrix.isFinite else { throw SinkhornError.nonFinite("the cost matrix C") }
        guard costMatrix.rows == a.count, costMatrix.columns == b.count else {
            throw SinkhornError.dimensionMismatch("C is \(costMatrix.rows) x \(costMatrix.columns) but a has \(a.count) and b has \(b.count) entries")
        }
        try Self.checkStorage(rows: costMatrix.rows, columns: costMatrix.columns)
        let limit = Self.forbiddenCostThreshold
        var forbidden = 0, tooNegative: Int?
        costMatrix.scalars.withUnsafeBufferPointer { cp in
            for k in cp.indices {
                let c = cp[k]
                if c >= limit { forbidden += 1 } else if c <= -limit, tooNegative == nil { tooNegative = k }
            }
        }
        if let k = tooNegative {
            let m = costMatrix.columns
            throw SinkhornError.costOutOfRange(row: k / m, column: k % m, value: costMatrix.scalars[k])
        }
        try self.init(geometry: .costMatrix(costMatrix), a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB,
                      forbiddenRouteCount: forbidden)
    }

    /// A problem between point clouds `x` (`n x d`) and `y` (`m x d`), with the squared
    /// Euclidean cost `C_ij = ||x_i - y_j||^2`.
    ///
    /// Nothing of size `n x m` is formed here: ``solveStreaming(options:initialPotentials:)``
    /// never forms it, ``solve(options:)`` checks ``denseStorageLimit`` first.
    ///
    /// - Throws: ``SinkhornError`` when shapes do not fit, data is not finite, a weight is
    ///   not positive, the masses differ, or `epsilon <= 0`.
    public init(x: Matrix, y: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1) throws {
        guard x.isFinite else { throw SinkhornError.nonFinite("the point cloud x") }
        guard y.isFinite else { throw SinkhornError.nonFinite("the point cloud y") }
        guard x.columns == y.columns, x.columns > 0 else {
            throw SinkhornError.dimensionMismatch("x has \(x.columns) and y has \(y.columns) coordinates per point")
        }
        guard x.rows == a.count, y.rows == b.count else {
            throw SinkhornError.dimensionMismatch("x has \(x.rows) and y has \(y.rows) points but a has \(a.count) and b has \(b.count) entries")
        }
        try self.init(geometry: .pointClouds(x: x, y: y), a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB,
                      forbiddenRouteCount: 0)
    }

    /// A problem with a cost matrix and uniform weights `a = 1/n`, `b = 1/m`.
    ///
    /// - Throws: as ``init(costMatrix:a:b:epsilon:tauA:tauB:)``.
    public init(costMatrix: Matrix, epsilon: Double, tauA: Double = 1, tauB: Double = 1) throws {
        try self.init(costMatrix: costMatrix, a: Self.uniformWeights(costMatrix.rows), b: Self.uniformWeights(costMatrix.columns),
                      epsilon: epsilon, tauA: tauA, tauB: tauB)
    }

    /// A problem between point clouds with uniform weights `a = 1/n`, `b = 1/m`.
    ///
    /// - Throws: as ``init(x:y:a:b:epsilon:tauA:tauB:)``.
    public init(x: Matrix, y: Matrix, epsilon: Double, tauA: Double = 1, tauB: Double = 1) throws {
        try self.init(x: x, y: y, a: Self.uniformWeights(x.rows), b: Self.uniformWeights(y.rows), epsilon: epsilon,
                      tauA: tauA, tauB: tauB)
    }

    /// Uniform weights `1/n` on `n` points.
    public static func uniformWeights(_ n: Int) -> Vector { Vector(repeating: 1 / Double(n), count: n) }

    private init(geometry: Geometry, a: Vector, b: Vector, epsilon: Double, tauA: Double, tauB: Double,
                 forbiddenRouteCount: Int) throws {
        guard a.count > 0, b.count > 0 else { throw SinkhornError.dimensionMismatch("a measure has no points") }
        guard a.isFinite else { throw SinkhornError.nonFinite("the marginal a") }
        guard b.isFinite else { throw SinkhornError.nonFinite("the marginal b") }
        guard epsilon.isFinite else { throw SinkhornError.nonFinite("epsilon") }
        guard epsilon > 0 else { throw SinkhornError.nonPositiveEpsilon(epsilon) }
        guard tauA > 0, tauA <= 1 else { throw SinkhornError.invalidRelaxation(marginal: "tau_a", value: tauA) }
        guard tauB > 0, tauB <= 1 else { throw SinkhornError.invalidRelaxation(marginal: "tau_b", value: tauB) }
        if let i = a.scalars.firstIndex(where: { !($0 > 0) }) {
            throw SinkhornError.nonPositiveWeight(marginal: "a", index: i, value: a[i])
        }
        if let j = b.scalars.firstIndex(where: { !($0 > 0) }) {
            throw SinkhornError.nonPositiveWeight(marginal: "b", index: j, value: b[j])
        }
        let sa = a.sum(), sb = b.sum()
        if tauA == 1, tauB == 1, !(abs(sa - sb) <= 1e-9 * Swift.max(sa, sb)) { throw SinkhornError.unequalMasses(sa, sb) }
        self.geometry = geometry
        self.a = a
        self.b = b
        self.epsilon = epsilon
        self.tauA = tauA
        self.tauB = tauB
        self.forbiddenRouteCount = forbiddenRouteCount
    }

    /// Whether both marginals are imposed exactly (`tauA = tauB = 1`): the balanced
    /// problem, whose potentials have the gauge `(f + t, g - t)`.
    public var isBalanced: Bool { tauA == 1 && tauB == 1 }

    /// The relaxation of the source marginal (``tauA``).
    var relaxationA: MarginalRelaxation { MarginalRelaxation(tau: tauA) }
    /// The relaxation of the target marginal (``tauB``).
    var relaxationB: MarginalRelaxation { MarginalRelaxation(tau: tauB) }

    /// The cost from which an entry of ``costMatrix`` is a forbidden route:
    /// ``forbiddenCostThreshold`` for a given cost matrix, `+infinity` for point clouds.
    var forbiddenThreshold: Double {
        if case .costMatrix = geometry { return Self.forbiddenCostThreshold }
        return .infinity
    }

    /// Number of source points `n`.
    public var sourceCount: Int { a.count }
    /// Number of target points `m`.
    public var targetCount: Int { b.count }

    /// The cost matrix `C` (`n x m`); for point clouds
    /// `C = ||x||^2 1' + 1 ||y||^2' - 2 x y'` by one BLAS `dgemm`, clamped at zero.
    public var costMatrix: Matrix {
        switch geometry {
        case let .costMatrix(c): return c
        case let .pointClouds(x, y): return Self.squaredDistances(x, y)
        }
    }

    /// `||x_i - y_j||^2` for all pairs, by BLAS.
    static func squaredDistances(_ x: Matrix, _ y: Matrix) -> Matrix {
        var c = Matrix.product(x, transposed: false, y, transposed: true)
        let xx = rowSquaredNorms(x), yy = rowSquaredNorms(y)
        let m = y.rows
        c.scalars.withUnsafeMutableBufferPointer { cp in
            for i in 0..<x.rows {
                let base = i * m, xi = xx[i]
                for j in 0..<m { cp[base + j] = Swift.max(0, xi + yy[j] - 2 * cp[base + j]) }
            }
        }
        return c
    }

    /// `||row_i||^2` for every row.
    static func rowSquaredNorms(_ x: Matrix) -> [Double] {
        var out = [Double](repeating: 0, count: x.rows)
        let d = x.columns
        x.scalars.withUnsafeBufferPointer { xp in
            for i in 0..<x.rows {
                var s = 0.0
                for k in 0..<d { s += xp[i * d + k] * xp[i * d + k] }
                out[i] = s
            }
        }
        return out
    }

    /// Solves by log-domain Sinkhorn with epsilon scaling (see ``SinkhornOptions``), then
    /// certifies the answer before returning it (``SinkhornSolution/certificate``).
    ///
    /// 1. With forbidden routes, checks first that the allowed routes carry the marginals
    ///    with finite potentials (a maximum flow; see ``SinkhornError/infeasible(_:)``).
    /// 2. Iterates (every pass counts against ``SinkhornOptions/maxIterations``), builds
    ///    the plan from the potentials and, for `min(n, m) <= 400`, polishes by Newton.
    /// 3. Checks the returned plan independently (``SinkhornCertificate``). If it fails
    ///    the tolerance, up to 100 exact log-domain iterations on
    ///    the returned potentials try to close the gap (the iteration's own error measure
    ///    and that of the recomputed plan differ by the rounding of absorbing the
    ///    scalings); if the check still fails, the solve throws.
    ///
    /// - Throws: ``SinkhornError/infeasible(_:)``,
    ///   ``SinkhornError/notConverged(iterations:marginalError:tolerance:)`` at the
    ///   iteration cap, ``SinkhornError/certificationFailed(iterations:certificate:tolerance:reason:)``
    ///   when the answer does not pass the check. Never returns an uncertified solution.
    public func solve(options: SinkhornOptions = .init()) throws -> SinkhornSolution {
        try solve(options: options, initialPotentials: nil)
    }

    /// Solves from given potentials (a warm start, e.g. the solution of a nearby problem
    /// in a gradient flow): the iteration starts at the target `eps` from `(f, g)`
    /// without epsilon scaling; otherwise as ``solve(options:)``.
    ///
    /// - Throws: as ``solve(options:)``, and ``SinkhornError/dimensionMismatch(_:)`` or
    ///   ``SinkhornError/nonFinite(_:)`` for potentials of the wrong length or not finite.
    public func solve(options: SinkhornOptions = .init(), initialPotentials: (f: Vector, g: Vector)?) throws -> SinkhornSolution {
        try Self.checkStorage(rows: sourceCount, columns: targetCount)
        let c = costMatrix
        let n = sourceCount, m = targetCount
        var options = options
        if let start = initialPotentials {
            guard start.f.count == n, start.g.count == m else {
                throw SinkhornError.dimensionMismatch("initial potentials of lengths \(start.f.count), \(start.g.count) for n = \(n), m = \(m)")
            }
            guard start.f.isFinite, start.g.isFinite else { throw SinkhornError.nonFinite("the initial potentials") }
            options.epsilonScalingFactor = nil
        }
        // Forbidden routes become +infinity in the iteration's copy of C: exp(-inf) = 0
        // exactly, at every stage of the schedule. (No copy without forbidden routes.)
        var iterationCost = c.scalars
        if forbiddenRouteCount > 0 {
            let limit = Self.forbiddenCostThreshold
            iterationCost.withUnsafeMutableBufferPointer { cp in
                for k in cp.indices where cp[k] >= limit { cp[k] = .infinity }
            }
            let routes = RouteFeasibility(n: n, m: m, cost: iterationCost, a: a.scalars, b: b.scalars)
            if let failure = isBalanced ? routes.failure() : routes.lineWithoutRoutes() {
                throw SinkhornError.infeasible(failure)
            }
        }
        let symmetric = isSymmetric && (initialPotentials.map { $0.f == $0.g } ?? true)
        var iteration = SinkhornIteration(rows: n, columns: m, cost: iterationCost, a: a, b: b, options: options,
                                          tauA: tauA, tauB: tauB)
        if let start = initialPotentials {
            iteration.f = start.f.scalars
            iteration.g = start.g.scalars
        }
        iteration.handOverAllowed = options.newtonFinish
        if symmetric { try iteration.runSymmetric(epsilon: epsilon) } else { try iteration.run(epsilon: epsilon) }
        var solution: SinkhornSolution
        if !iteration.stalled {
            solution = finish(iteration, costMatrix: c, options: options, symmetric: symmetric)
        } else {
            // Newton on the dual from the stalled potentials, then (if it misses) Sinkhorn again.
            let (f, g) = iteration.potentials()
            solution = SinkhornSolution(problem: self, costMatrix: c, f: f, g: g, iterations: iteration.iterations,
                                        stages: iteration.stageCount, certify: false)
            let budget = Swift.max(0, options.maxIterations - iteration.iterations)
            let steps = Swift.min(Self.newtonFinishSteps, budget)
            let (finished, evaluations) = (symmetric ? solution.symmetricNewtonFinished(tolerance: options.tolerance, maxSteps: steps) : nil)
                ?? solution.newtonFinished(tolerance: options.tolerance, maxSteps: steps)
            iteration.iterations += evaluations
            solution = polish(finished.withIterations(iteration.iterations), options: options, symmetric: symmetric).certified()
            if !solution.certificate.passes(tolerance: options.tolerance) {
                iteration.lastError = solution.marginalError
                // The symmetric update needs f = g: undo the gauge shift of the report.
                let start = symmetric ? (0.5 * (solution.f + solution.g)).scalars : solution.f.scalars
                try iteration.resume(epsilon: epsilon, symmetric: symmetric,
                                     from: (start, symmetric ? start : solution.g.scalars))
                solution = finish(iteration, costMatrix: c, options: options, symmetric: symmetric)
            }
        }
        if !solution.certificate.passes(tolerance: options.tolerance) {
            iteration.refine(epsilon: epsilon, tolerance: options.tolerance, maxSteps: Self.refinementIterations)
            solution = finish(iteration, costMatrix: c, options: options, symmetric: false)
        }
        let certificate = solution.certificate
        guard certificate.passes(tolerance: options.tolerance) else {
            throw SinkhornError.certificationFailed(iterations: iteration.iterations, certificate: certificate,
                                                    tolerance: options.tolerance, reason: precisionNote(solution, options: options))
        }
        return solution
    }

    /// Cap on the Newton steps of the finish after a stall (each step also counts its
    /// trial points against ``SinkhornOptions/maxIterations``).
    static let newtonFinishSteps = 30

    /// Whether the problem is its own transpose, `C = C'`, `a = b` and `tauA = tauB` exactly (a self
    /// term of the divergence, or `SinkhornProblem(x: x, y: x, a: a, b: a, ...)`), so that
    /// the symmetric update applies. Point clouds: `x = y`; a cost matrix: compared entry
    /// by entry.
    public var isSymmetric: Bool {
        guard a == b, tauA == tauB else { return false }
        switch geometry {
        case let .pointClouds(x, y): return x == y
        case let .costMatrix(c):
            let n = c.rows
            guard c.columns == n else { return false }
            for i in 0..<n { for j in (i + 1)..<n where c.scalars[i * n + j] != c.scalars[j * n + i] { return false } }
            return true
        }
    }

    /// Cap on the exact log-domain iterations that try to close a gap between the
    /// iteration's error and the certificate's (step 3 of ``solve(options:)``); they
    /// also count against ``SinkhornOptions/maxIterations``.
    static let refinementIterations = 100

    /// The solution of the iteration's current potentials (gauge `sum(g) = 0`),
    /// Newton-polished when `min(n, m) <= 400` and enabled (a symmetric problem by the
    /// symmetric Newton step, which keeps `f = g`), with its certificate.
    func finish(_ iteration: SinkhornIteration, costMatrix c: Matrix, options: SinkhornOptions,
                symmetric: Bool) -> SinkhornSolution {
        let (f, g) = iteration.potentials()
        let solution = SinkhornSolution(problem: self, costMatrix: c, f: f, g: g,
                                        iterations: iteration.iterations, stages: iteration.stageCount, certify: false)
        return polish(solution, options: options, symmetric: symmetric).certified()
    }

    /// Up to two Newton steps towards rounding accuracy when `min(n, m) <= 400` and
    /// ``SinkhornOptions/newtonPolish`` is on (symmetric steps for a symmetric problem).
    func polish(_ solution: SinkhornSolution, options: SinkhornOptions, symmetric: Bool) -> SinkhornSolution {
        guard options.newtonPolish, Swift.min(sourceCount, targetCount) <= SchurComplementSystem.automaticDenseLimit else {
            return solution
        }
        if symmetric, let (polished, _) = solution.symmetricNewtonFinished(tolerance: 4e-15, maxSteps: 2) { return polished }
        return solution.polished(steps: 2)
    }

    /// Why a certificate may fail beyond the iteration's control: `f_i + g_j - C_ij` is
    /// rounded to about `u (|f| + |g| + |C|)` absolute, a relative error of that over
    /// `eps` in every `P_ij`. Said when that floor exceeds 1% of the tolerance.
    func precisionNote(_ s: SinkhornSolution, options: SinkhornOptions) -> String {
        if !s.certificate.entriesAreValid {
            return "the plan or the potentials have entries that are negative or not finite, or the plan does not match exp((f_i + g_j - C_ij)/eps)"
        }
        if options.tolerance < SinkhornCertificate.roundingFloor {
            return "a tolerance below \(SinkhornCertificate.roundingFloor) is below the rounding of the plan's entries and can rarely be certified"
        }
        var scale = 0.0
        let limit = forbiddenThreshold
        for v in costMatrix.scalars where v < limit { scale = Swift.max(scale, Swift.abs(v)) }
        scale += s.f.maxNorm + s.g.maxNorm
        let floor = Double.ulpOfOne * scale / epsilon
        guard floor > 0.01 * options.tolerance else { return "" }
        return "the tolerance is at or below what double precision resolves at eps = \(epsilon) for this cost scale: f_i + g_j - C_ij (of size \(scale)) is rounded to ~\(Double.ulpOfOne * scale), a relative error of ~\(floor) in every plan entry; use a larger eps, rescale C, or a looser tolerance"
    }
}
