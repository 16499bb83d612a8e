/// The relative KKT residuals of a candidate solution `(z, lambda, mu)` of a
/// ``QuadraticProgram``, each scaled so that it is invariant to the size of the data:
/// ```
/// stationarity     ||Q z + q + A'lambda + G'mu||_inf / (1 + max(||Q z||, ||q||, ||A'lambda||, ||G'mu||)_inf)
/// equality         ||A z - b||_inf / (1 + max(||A z||, ||b||)_inf)
/// inequality       max_i (G_i z - h_i)_+ / (1 + max(||G z||, ||h||)_inf)
/// dualSign         max_i (-mu_i)_+ / (1 + ||mu||_inf)
/// complementarity  max_i |mu_i (h_i - G_i z)| / (1 + max(|1/2 z'Q z|, |q'z|, max_i |mu_i h_i|))
/// ```
/// A solution is accepted when ``maximum`` is at most ``QPSolverOptions/tolerance``.
public struct QPKKTResidual: Sendable, Equatable, CustomStringConvertible {
    /// Relative residual of `Q z + q + A'lambda + G'mu = 0`.
    public var stationarity: Double
    /// Relative residual of `A z = b`.
    public var equality: Double
    /// Relative violation of `G z <= h`.
    public var inequality: Double
    /// Relative violation of `mu >= 0`.
    public var dualSign: Double
    /// Relative size of `mu_i (h_i - G_i z)`.
    public var complementarity: Double

    /// The largest of the five.
    public var maximum: Double {
        Swift.max(stationarity, equality, inequality, dualSign, complementarity)
    }

    public var description: String {
        "KKT residual \(maximum) (stationarity \(stationarity), equality \(equality), inequality \(inequality), dual sign \(dualSign), complementarity \(complementarity))"
    }

    /// The residuals of `(z, lambda, mu)` for `problem`.
    public init(problem p: QuadraticProgram, z: Vector, lambda: Vector, mu: Vector) {
        let n = p.variableCount, pe = p.equalityCount, m = p.inequalityCount
        let qz = p.Q * z
        let atl = pe > 0 ? p.A.transposedTimes(lambda) : Vector.zeros(n)
        let gtm = m > 0 ? p.G.transposedTimes(mu) : Vector.zeros(n)
        let rd = qz + p.q + atl + gtm
        stationarity = rd.maxNorm / (1 + Swift.max(qz.maxNorm, p.q.maxNorm, atl.maxNorm, gtm.maxNorm))
        if pe > 0 {
            let az = p.A * z
            equality = (az - p.b).maxNorm / (1 + Swift.max(az.maxNorm, p.b.maxNorm))
        } else {
            equality = 0
        }
        if m > 0 {
            let gz = p.G * z
            var viol = 0.0, comp = 0.0, neg = 0.0, muh = 0.0
            for i in 0..<m {
                let slack = p.h[i] - gz[i]
                viol = Swift.max(viol, -slack)
                comp = Swift.max(comp, abs(mu[i] * slack))
                neg = Swift.max(neg, -mu[i])
                muh = Swift.max(muh, abs(mu[i] * p.h[i]))
            }
            inequality = viol / (1 + Swift.max(gz.maxNorm, p.h.maxNorm))
            dualSign = neg / (1 + mu.maxNorm)
            let obj = Swift.max(abs(0.5 * z.dot(qz)), abs(p.q.dot(z)), muh)
            complementarity = comp / (1 + obj)
        } else {
            inequality = 0
            dualSign = 0
            complementarity = 0
        }
    }
}
