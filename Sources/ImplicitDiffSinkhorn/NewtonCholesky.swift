import _ImplicitDiffKernels

/// `A = L L'` by LAPACK `dpotrf`, refused only when a pivot is not positive: the
/// factorisation of the Newton finish (``SinkhornSolution/newtonFinished(tolerance:maxSteps:)``).
/// Not API.
///
/// The core's `CholeskyFactorization` also refuses matrices whose condition estimate is
/// beyond `1 / (n u)`, which is right for a derivative (its answer would carry no digit)
/// but not for a Newton step: the Schur complement of a plan that is nearly a
/// permutation has condition numbers of `1e19` and more (its small eigenvalues are
/// `exp(-|x_i - x_l|^2 / eps)`), the step it gives still lowers the residual along the
/// well-determined directions, and the line search rejects any step that does not.
struct NewtonCholesky: Sendable {
    let dimension: Int
    let factor: [Double]

    /// Factorises the symmetric `a` (`k x k`, row-major; the lower triangle is read), or
    /// `nil` when a pivot is not positive or an entry is not finite.
    init?(_ a: [Double], dimension k: Int) {
        guard a.allSatisfy(\.isFinite) else { return nil }
        var l = a
        guard LAPACK.choleskyLower(&l, n: k) else { return nil }
        dimension = k
        factor = l
    }

    /// Factorises `a`, or if a pivot is not positive (rounding, for condition numbers
    /// beyond `1 / u`) `a + mu I` with `mu = 1e-14, 1e-12, ..., 1e-6` times the largest
    /// diagonal entry, the first that factorises (a Levenberg-Marquardt step: still a
    /// descent direction for the residual, checked by the line search).
    init?(regularising a: [Double], dimension k: Int) {
        if let plain = NewtonCholesky(a, dimension: k) { self = plain; return }
        var largest = 0.0
        for j in 0..<k { largest = Swift.max(largest, a[j * k + j]) }
        // A zero diagonal (a plan that underflowed) has no scale to regularise by.
        guard largest > 0, largest.isFinite else { return nil }
        var mu = 1e-14 * largest
        while mu <= 1e-6 * largest {
            var shifted = a
            for j in 0..<k { shifted[j * k + j] += mu }
            if let chol = NewtonCholesky(shifted, dimension: k) { self = chol; return }
            mu *= 100
        }
        return nil
    }

    /// `A^-1 b`.
    func solve(_ b: [Double]) -> [Double] {
        var x = b
        LAPACK.choleskySolveLower(factor, n: dimension, &x)
        return x
    }
}
