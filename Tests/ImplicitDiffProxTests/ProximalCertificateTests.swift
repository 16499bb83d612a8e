import Foundation
import Testing
@testable import ImplicitDiffProx

@Suite("Proximal certificates: fixed-point residual and lasso KKT on the returned w")
struct ProximalCertificateTests {
    @Test func solvedLassoIsCertified() throws {
        let (x, y, lambda) = regressionData(rows: 30, columns: 12, informative: 4, seed: 31)
        let lasso = try Lasso(design: x, targets: y, lambda: lambda)
        for s in [try lasso.solve(), try lasso.solveAlongPath(), try lasso.solveExactly()] {
            let c = s.certificate
            #expect(c.passed && c.fixedPoint <= 1e-9 && (c.kkt ?? 1) <= 1e-9, "\(c)")
            // Recomputed from w alone, it is the same.
            #expect(lasso.certificate(at: s.w, stepSize: s.result.stepSize, tolerance: c.tolerance) == c)
            // The KKT figure matches the conditions written out.
            let corr = x.transposedTimes(y - x * s.w)
            for j in 0..<12 where s.w[j] == 0 { #expect(abs(corr[j]) <= lambda * (1 + 1e-9)) }
        }
    }

    /// The check can fail: moved coefficients, a coefficient switched on, and a wrong
    /// sign all fail both figures, and the certification entry point of the solvers
    /// throws `.uncertified`.
    @Test func perturbedAnswersFail() throws {
        let (x, y, lambda) = regressionData(rows: 30, columns: 12, informative: 4, seed: 31)
        let lasso = try Lasso(design: x, targets: y, lambda: lambda)
        let s = try lasso.solveAlongPath()
        let eta = s.result.stepSize, tol = ProximalCertificate.tolerance(for: .init())
        let support = (0..<12).filter { s.w[$0] != 0 }, off = (0..<12).filter { s.w[$0] == 0 }
        var moved = s.w
        moved[support[0]] *= 1 + 1e-6
        var switchedOn = s.w
        switchedOn[off[0]] = 1e-3
        var flipped = s.w
        flipped[support[1]] = -flipped[support[1]]
        for (what, w) in [("moved", moved), ("switched on", switchedOn), ("flipped", flipped)] {
            let c = lasso.certificate(at: w, stepSize: eta, tolerance: tol)
            #expect(!c.passed && c.fixedPoint > tol && (c.kkt ?? 0) > tol, "\(what): \(c)")
            let bad = ProximalGradientResult(solution: w, stepSize: eta, iterations: 1, backtracks: 0, restarts: 0,
                                             newtonSteps: 0, polished: false, relativeResidual: 0, factorization: nil)
            #expect(throws: ProxError.self, "\(what)") { _ = try lasso.certified(bad, options: .init()) }
            do { _ = try lasso.certified(bad, options: .init()) } catch let e as ProxError {
                guard case .uncertified = e else { Issue.record("\(what): \(e)"); continue }
            }
        }
    }

    /// A coefficient of rounding size off the true support passes (the fixed point
    /// treats it as zero), as the KKT figure's second branch says.
    @Test func roundingSizedCoefficientPasses() throws {
        let (x, y, lambda) = regressionData(rows: 30, columns: 12, informative: 4, seed: 31)
        let lasso = try Lasso(design: x, targets: y, lambda: lambda)
        let s = try lasso.solveAlongPath()
        var w = s.w
        w[(0..<12).first { w[$0] == 0 }!] = 1e-300
        let c = lasso.certificate(at: w, stepSize: s.result.stepSize, tolerance: s.certificate.tolerance)
        #expect(c.passed, "\(c)")
    }

    /// Problems other than l1 are certified by the fixed-point residual alone.
    @Test func nonNegativeLeastSquaresIsCertified() throws {
        var g = SplitMix64(seed: 12)
        let x = g.normalMatrix(20, 6), y = g.normalVector(20)
        let s = try NonNegativeLeastSquares(design: x, targets: y).solve()
        #expect(s.certificate.kkt == nil)
        #expect(s.certificate.passed && s.certificate.fixedPoint <= 1e-9, "\(s.certificate)")
    }

    /// `maxIterations` bounds proximal-gradient iterations and active-set steps together:
    /// a cap too small to finish is `.notConverged`, never a success; a result reports at
    /// most the cap.
    @Test(arguments: [1, 2, 3]) func maxIterationsIsHonoured(cap: Int) throws {
        var g = SplitMix64(seed: 8_20)
        let x = g.normalMatrix(8, 20), y = g.normalVector(8)
        let lambda = 1e-6 * x.transposedTimes(y).maxNorm
        let lasso = try Lasso(design: x, targets: y, lambda: lambda)
        let options = ProximalGradientOptions(maxIterations: cap)
        for solve in [{ try lasso.solveAlongPath(options: options) }, { try lasso.solveExactly(options: options) }] {
            do {
                let s = try solve()
                #expect(s.result.iterations <= cap)
                #expect(s.certificate.passed)
            } catch let e as ProxError {
                guard case .notConverged = e else { Issue.record("\(e)"); continue }
            }
        }
        // With the default cap both succeed, within it.
        for s in [try lasso.solveAlongPath(), try lasso.solveExactly()] {
            #expect(s.result.iterations <= ProximalGradientOptions().maxIterations)
            #expect(s.certificate.passed, "\(s.certificate)")
        }
    }
}
