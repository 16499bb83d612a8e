import Glibc

extension SinkhornProblem {
    /// Solves a point-cloud problem without forming its cost matrix or plan: log-domain
    /// Sinkhorn whose passes recompute the cost block by block (``PointCloudKernel``:
    /// BLAS `dgemm` for `x_i . y_j`, the core's vectorised `exp`), epsilon scaling from
    /// an upper bound of `max C`, measured over-relaxation, the symmetric update for a
    /// self term (``isSymmetric``), and a final pass that computes the cost, its
    /// gradient and the certificate (``StreamedSinkhornSolution``). Memory is
    /// `O((n + m) d)` plus two blocks of `64 x 1024` entries: 10^5 points on each side in
    /// the plane need a few MB.
    ///
    /// Compared with ``solve(options:)``: no Newton polish or finish (they need the
    /// plan), and every iteration evaluates `2 n m` exponentials where the stored
    /// kernel's iterations are two matrix-vector products; ``solve(options:)`` is faster
    /// while `n x m` fits comfortably in memory.
    ///
    /// - Parameter initialPotentials: a warm start (lengths `n`, `m`): the iteration
    ///   starts at the target `eps` from them, without epsilon scaling.
    /// - Throws: ``SinkhornError/dimensionMismatch(_:)`` for a cost-matrix problem or
    ///   potentials of the wrong length; ``SinkhornError/notConverged(iterations:marginalError:tolerance:)``
    ///   at the cap; ``SinkhornError/certificationFailed(iterations:certificate:tolerance:reason:)``
    ///   when the final pass does not confirm the tolerance.
    public func solveStreaming(options: SinkhornOptions = .init(),
                               initialPotentials: (f: Vector, g: Vector)? = nil) throws -> StreamedSinkhornSolution {
        guard case let .pointClouds(x, y) = geometry else {
            throw SinkhornError.dimensionMismatch("solveStreaming needs point clouds; this problem has a cost matrix")
        }
        var options = options
        let symmetric = isSymmetric && (initialPotentials.map { $0.f == $0.g } ?? true)
        let kernel = PointCloudKernel(x: x, y: symmetric ? x : y)
        var iteration = StreamedSinkhornIteration(kernel: kernel, a: a, b: b, options: options, tauA: tauA, tauB: tauB)
        if let start = initialPotentials {
            guard start.f.count == sourceCount, start.g.count == targetCount else {
                throw SinkhornError.dimensionMismatch("initial potentials of lengths \(start.f.count), \(start.g.count) for n = \(sourceCount), m = \(targetCount)")
            }
            guard start.f.isFinite, start.g.isFinite else { throw SinkhornError.nonFinite("the initial potentials") }
            options.epsilonScalingFactor = nil
            iteration = StreamedSinkhornIteration(kernel: kernel, a: a, b: b, options: options, tauA: tauA, tauB: tauB)
            iteration.f = start.f.scalars
            iteration.g = start.g.scalars
        }
        try iteration.run(epsilon: epsilon, symmetric: symmetric)
        var (f, g) = iteration.potentials()
        var solution = StreamedSinkhornSolution(problem: self, kernel: kernel, f: f, g: g,
                                                iterations: iteration.iterations, stages: iteration.stageCount)
        if !solution.certificate.passes(tolerance: options.tolerance), solution.certificate.entriesAreValid {
            // The iteration's error measure and the final pass's sums differ by rounding:
            // a few more iterations at half the tolerance (still against the cap).
            var tighter = options
            tighter.tolerance = options.tolerance / 2
            var more = StreamedSinkhornIteration(kernel: kernel, a: a, b: b, options: tighter, tauA: tauA, tauB: tauB)
            more.f = iteration.f
            more.g = iteration.g
            more.iterations = iteration.iterations
            if symmetric { try more.symmetricStage(epsilon: epsilon, tolerance: tighter.tolerance) } else {
                try more.stage(epsilon: epsilon, tolerance: tighter.tolerance)
            }
            (f, g) = more.potentials()
            solution = StreamedSinkhornSolution(problem: self, kernel: kernel, f: f, g: g,
                                                iterations: more.iterations, stages: iteration.stageCount)
        }
        guard solution.certificate.passes(tolerance: options.tolerance) else {
            throw SinkhornError.certificationFailed(
                iterations: solution.iterations, certificate: solution.certificate, tolerance: options.tolerance,
                reason: solution.certificate.entriesAreValid ? "" : "the recomputed plan has entries that are negative or not finite, or that do not match exp((f_i + g_j - C_ij)/eps)")
        }
        return solution
    }
}
