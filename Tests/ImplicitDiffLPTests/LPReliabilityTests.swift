import Foundation
import Testing
@testable import ImplicitDiffLP
import _CGLPK

// Issue 13 (reliability) for LP: GLPK faults are caught and the thread stays usable,
// GLPK's text never reaches standard output, wrong answers are never reported as optima
// (independent certificate, also of "infeasible" and "unbounded"), model files are
// checked before GLPK reads them, and the smoothed derivative refuses an uncertified LP.

/// `true` when `error` is the given case of ``LPError``.
private func isLPError(_ error: any Error, _ kind: String) -> Bool {
    guard let e = error as? LPError else { return false }
    switch (e, kind) {
    case (.invalidProblem, "invalid"), (.infeasible, "infeasible"), (.unbounded, "unbounded"), (.notConverged, "notConverged"):
        return true
    default:
        return false
    }
}

private func message(_ error: any Error) -> String { String(describing: error) }

@Suite("LP reliability: faults, certificates, files")
struct LPReliabilityTests {
    // MARK: - 1, 2. GLPK faults and terminal output

    /// `G = [[1e200, 1]]` made GLPK's scaling stop with "invalid scale factor", outside the
    /// error guard: the process aborted. Now every GLPK call is guarded: the fault is an
    /// error carrying GLPK's own message (taken by the terminal hook, so not printed on
    /// standard output), and the next solve on the same thread works.
    @Test func scalingFaultIsCaughtAndTheThreadStaysUsable() throws {
        // The solver's form, bypassing LinearProgram's range check, so that GLPK sees 1e200.
        let form = LPSolverForm(
            objective: [1, 1], matrix: LPSparseRows(rowCount: 1, columnCount: 2, rowStart: [0, 2], columnIndices: [0, 1], values: [1e200, 1]),
            rowLower: [-.infinity], rowUpper: [1], columnLower: [-.infinity, -.infinity], columnUpper: [.infinity, .infinity],
            rowName: { "row \($0)" }, columnName: { "column \($0)" })
        // Everything below runs synchronously, hence on this test's one thread.
        #expect {
            try form.solve(options: LPOptions())
        } throws: { error in
            isLPError(error, "notConverged") && message(error).contains("glp_scale_prob")
                && message(error).contains("invalid scale factor")
        }
        // The thread's GLPK environment was reset and works again.
        let r = LPRandomProblem(n: 4, p: 1, m: 7, seed: 13)
        let s = try r.problem.solve()
        expectClose(s.z, r.z, rtol: 1e-9, floor: 1, "z after a GLPK fault on this thread")
        // Twice in a row, and with the deliberate fault of the test hook.
        #expect(throws: LPError.self) { try form.solve(options: LPOptions()) }
        #expect(throws: GLPKFailure.self) {
            try GLPKProblem.withProblem { glp in
                try glp.setSize(rows: 1, columns: 1)
                try glp.provokeError()
            }
        }
        expectClose(try r.problem.solve().z, r.z, rtol: 1e-9, floor: 1, "z after two more faults")
    }

    /// GLPK's message of a caught fault is collected by the terminal hook (it is part of the
    /// thrown error); nothing is left installed that points at freed memory afterwards.
    @Test func faultMessagesGoToTheHookNotToStandardOutput() throws {
        do {
            try GLPKProblem.withProblem { glp in
                try glp.setSize(rows: 1, columns: 1)
                try glp.provokeError()
            }
            Issue.record("no fault")
        } catch let GLPKFailure.fault(text) {
            // "glp_set_row_bnds: i = 2; row number out of range" printed by GLPK, caught.
            #expect(text.contains("glp_set_row_bnds: i = 2"), "\(text)")
        }
        // A reader's complaint about a malformed file is also collected, never printed.
        let path = try lpTemporaryFile("NAME BAD\nROWS\n N OBJ\nCOLUMNS\n X OBJ notanumber\nENDATA\n", suffix: ".mps")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try LPModel.read(path: path, format: .mps)
        } throws: { error in
            isLPError(error, "invalid") && message(error).contains("notanumber")
        }
    }

    /// Coefficients GLPK's scaling cannot represent are rejected up front, naming the entry.
    @Test func coefficientRangesGLPKCannotScaleAreRejected() throws {
        for (g, entry) in [([[1e200, 1.0]], "G[0, 0]"), ([[1, -1e-200]], "G[0, 1]"), ([[1, 1], [2, 1e101]], "G[1, 1]")] {
            #expect {
                try LinearProgram(c: [1, 1], G: Matrix(rowArrays: g)!, h: Vector([Double](repeating: 1, count: g.count)))
            } throws: { error in
                isLPError(error, "invalid") && message(error).contains(entry) && message(error).contains("1e-100")
            }
        }
        #expect(throws: LPError.self) { try LinearProgram(c: [1e101, 1], G: Matrix(rowArrays: [[1, 1]])!, h: [1]) }
        #expect(throws: LPError.self) { try LinearProgram(c: [1, 1], A: Matrix(rowArrays: [[1, 1]])!, b: [-1e120]) }
        // Inside the limits: solved.
        let s = try LinearProgram(c: [-1, -1], G: Matrix(rowArrays: [[1e-90, 1], [1, -1]])!, h: [1, 0]).solve()
        expectClose(s.z, [1, 1], rtol: 1e-12, "z")
    }

    // MARK: - 3. Unbounded problems reported as optimal

    /// `min z1 + 1e7 z2  s.t.  z2 >= 0` is unbounded (z1 free). The bound row became a
    /// column bound, GLPK had no rows left and its trivial-LP path compares reduced costs
    /// with 1e-7 after dividing the objective by max |c| = 1e7: z1's reduced cost 1 counted
    /// as zero, and the free nonbasic z1 was only reported as "dual degenerate". It was
    /// "optimal" with z = 0.
    @Test func largeObjectiveRatioUnboundedIsNotOptimal() throws {
        let g = Matrix(rowArrays: [[0, -1]])!
        #expect {
            try LinearProgram(c: [1, 1e7], G: g, h: [0]).solve()
        } throws: { error in
            isLPError(error, "unbounded") && message(error).contains("ray")
        }
        // Beyond GLPK's tightened tolerance too (1e-10 after its scaling by max |c|): the
        // basis fails the reduced-cost check, and a certified ray says "unbounded".
        for ratio in [1e9, 1e12, 1e15] {
            #expect {
                try LinearProgram(c: [1, ratio], G: g, h: [0]).solve()
            } throws: { error in
                isLPError(error, "unbounded") && message(error).contains("certified")
            }
        }
        // The free nonbasic check in the basis classification on its own.
        let lp = try LinearProgram(c: [1, 1e7], G: g, h: [0])
        let basic = try lp.solverForm.basicSolution(rowStatus: [GLP_NU], columnStatus: [GLP_NF, GLP_BS],
                                                    iterations: 0, options: LPOptions())
        #expect(basic.violation?.contains("free nonbasic") ?? false, "\(basic.violation ?? "no violation")")
    }

    /// With one entry of 1e-200, GLPK's scale factors reached 1e100 and its reduced-cost
    /// test, made on the scaled problem, accepted a basis whose free nonbasic z2 had reduced
    /// cost -2: reported "optimal" at z = 0 (value 0) with dual residual (0, -2); the true
    /// optimum of the same LP with 1e-90 (accepted) is z = (1, 1), value -2.
    @Test func tinyEntryLPReportsItsTrueOptimum() throws {
        #expect(throws: LPError.self) {
            try LinearProgram(c: [-1, -1], G: Matrix(rowArrays: [[1e-200, 1], [1, -1]])!, h: [1, 0])
        }
        for tiny in [1e-90, 1e-60, 1e-20] {
            let s = try LinearProgram(c: [-1, -1], G: Matrix(rowArrays: [[tiny, 1], [1, -1]])!, h: [1, 0]).solve()
            expectClose(s.z, [1, 1], rtol: 1e-12, "z (entry \(tiny))")
            expectClose(s.mu, [2, 1], rtol: 1e-12, "mu (entry \(tiny))")
            #expect(abs(s.value + 2) < 1e-12)
            #expect(s.certificate.passed && s.certificate.dual < 1e-15)
        }
    }

    // MARK: - 4. Certificates

    /// Netlib KB2 (verbatim fixture): every figure at rounding level, exposed on the
    /// solution and on the model solution.
    @Test func certificateOfNetlibKB2() throws {
        let path = try lpTemporaryFile(LPNetlibModels.kb2, suffix: ".mps")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try LPModel.read(path: path, format: .mps).solve()
        let c = s.certificate
        #expect(c.passed && c.tolerance == LPOptions().certificateTolerance)
        for (name, value) in c.figures {
            #expect(value >= 0 && value < 1e-13, "\(name) = \(value)")
        }
        #expect(c.figures.map(\.name) == ["primal", "dual", "complementarity", "gap"])
    }

    /// The figures measure what they claim: a moved z fails primal and gap, a wrong
    /// multiplier fails dual, a multiplier on an inactive row fails complementarity, a
    /// negative one fails dual; each is unchanged when rows or the objective are scaled.
    @Test func certificateDetectsWrongAnswersAndIsScaleInvariant() throws {
        let r = LPRandomProblem(n: 5, p: 1, m: 9, seed: 31)
        let lp = r.problem
        func check(_ lp: LinearProgram, z: Vector, lambda: Vector, mu: Vector) -> LPCertificate {
            LPCertificate.check(lp, z: z, lambda: lambda, mu: mu, tolerance: 1e-8)
        }
        let exact = check(lp, z: r.z, lambda: r.lambda, mu: r.mu)
        #expect(exact.passed && exact.worst < 1e-14, "\(exact)")

        var z = r.z
        z[0] += 1e-3
        let moved = check(lp, z: z, lambda: r.lambda, mu: r.mu)
        #expect(!moved.passed && moved.primal > 1e-6)

        var mu = r.mu
        mu[r.active[0]] *= 1.01
        #expect(check(lp, z: r.z, lambda: r.lambda, mu: mu).dual > 1e-4)

        let inactive = (0..<9).first { !r.active.contains($0) }!
        mu = r.mu
        mu[inactive] = 0.5
        let comp = check(lp, z: r.z, lambda: r.lambda, mu: mu)
        #expect(comp.complementarity > 1e-3 && comp.gap > 1e-3)

        mu = r.mu
        mu[r.active[0]] = -mu[r.active[0]]
        #expect(check(lp, z: r.z, lambda: r.lambda, mu: mu).dual > 1e-3)

        // Scaling row i of G (and h_i, mu_i / s) and the objective (c, duals) by powers of
        // ten leaves every figure of the exact and of the moved answer unchanged.
        var g = lp.G, h = lp.h, scaledMu = r.mu
        for i in 0..<9 {
            let s = pow(10.0, Double(i % 5) * 3 - 6)
            for j in 0..<5 { g[i, j] *= s }
            h[i] *= s
            scaledMu[i] /= s
        }
        let k = 1e6
        let scaled = try LinearProgram(c: k * lp.c, A: lp.A, b: lp.b, G: g, h: h)
        let scaledMoved = check(scaled, z: z, lambda: k * r.lambda, mu: k * scaledMu)
        #expect(abs(scaledMoved.primal - moved.primal) <= 1e-6 * moved.primal)
        #expect(abs(scaledMoved.gap - moved.gap) <= 1e-6 * moved.gap)
        #expect(check(scaled, z: r.z, lambda: k * r.lambda, mu: k * scaledMu).worst < 1e-14)
    }

    /// LPs with an optimum, rows and objective scaled over twelve orders of magnitude:
    /// always "optimal" at the known vertex, never "infeasible", "unbounded" or a failed
    /// certificate.
    @Test func problemsWithAnOptimumAreReportedOptimal() throws {
        for seed in UInt64(0)..<40 {
            let r = LPRandomProblem(n: 6, p: Int(seed % 3), m: 12, seed: 100 + seed)
            var g = r.problem.G, h = r.problem.h
            var rng = LPTestRandom(seed: seed)
            for i in 0..<g.rows {
                let s = pow(10.0, rng.uniform(-6...6))
                for j in 0..<g.columns { g[i, j] *= s }
                h[i] *= s
            }
            let c = pow(10.0, rng.uniform(-6...6)) * r.problem.c
            let lp = try LinearProgram(c: c, A: r.problem.A, b: r.problem.b, G: g, h: h)
            let s = try lp.solve()
            expectClose(s.z, r.z, rtol: 1e-8, floor: 1, "z, seed \(seed)")
            #expect(s.certificate.worst < 1e-12, "seed \(seed): \(s.certificate)")
        }
    }

    /// Random small LPs with integer data (so that they are exactly what GLPK's exact
    /// rational simplex solves), rows, columns and objective scaled by powers of two (which
    /// keeps the verdict and the exact optimum):
    /// * up to `2^+-20` each (data over 24 orders of magnitude): the verdict always agrees
    ///   with `glp_exact` on the unscaled row form, and the optimal value to 1e-9;
    /// * up to `2^+-30` each: GLPK itself goes wrong on a few percent of them; the answer is
    ///   then "not converged", never a wrong verdict or value.
    @Test(arguments: [20.0, 30.0])
    func verdictsAgreeWithGLPKsExactSimplex(scaling: Double) throws {
        var rng = LPTestRandom(seed: 77)
        var counts = [String: Int]()
        for trial in 0..<1000 {
            let n = 2 + Int(rng.uniform(0...3.99)), m = 1 + Int(rng.uniform(0...7.99)), p = Int(rng.uniform(0...1.6))
            func entry() -> Double { rng.uniform(0...1) < 0.3 ? 0 : rng.uniform(-3.49...3.49).rounded() }
            func power() -> Double { pow(2, rng.uniform(-scaling...scaling).rounded()) }
            let g0 = Matrix(rows: m, columns: n, scalars: (0..<(m * n)).map { _ in entry() })
            let a = Matrix(rows: p, columns: n, scalars: (0..<(p * n)).map { _ in entry() })
            let h0 = Vector((0..<m).map { _ in entry() }), b = Vector((0..<p).map { _ in entry() })
            let c0 = Vector((0..<n).map { _ in entry() })
            // Exact reference on the integer data.
            let reference = try LinearProgram(c: c0, A: a, b: b, G: g0, h: h0).solverForm
            let (status, exactValue): (Int32, Double) = try GLPKProblem.withProblem { glp in
                try glp.setMinimize(true)
                try glp.setSize(rows: reference.rowCount, columns: n)
                for j in 0..<n {
                    try glp.setColumnBounds(j, lower: -.infinity, upper: .infinity)
                    try glp.setObjectiveCoefficient(j, c0[j])
                }
                for i in 0..<reference.rowCount {
                    try glp.setRowBounds(i, lower: reference.rowLower[i], upper: reference.rowUpper[i])
                }
                try glp.loadMatrix(reference.matrix)
                _ = try glp.exactSimplex()
                return (try glp.status(), try glp.objectiveValue())
            }
            // The scaled problem: G_ij r_i s_j, h_i r_i, A_ij s_j, c_j s_j t, with z_j = z0_j / s_j.
            let r = (0..<m).map { _ in power() }, sc = (0..<n).map { _ in power() }, t = power()
            var g = g0, aScaled = a
            for i in 0..<m { for j in 0..<n { g[i, j] *= r[i] * sc[j] } }
            for i in 0..<p { for j in 0..<n { aScaled[i, j] *= sc[j] } }
            let h = Vector((0..<m).map { h0[$0] * r[$0] }), c = Vector((0..<n).map { c0[$0] * sc[$0] * t })
            let verdict: String
            do {
                let s = try LinearProgram(c: c, A: aScaled, b: b, G: g, h: h).solve()
                verdict = "optimal"
                #expect(abs(s.value / t - exactValue) <= 1e-9 * max(1, abs(exactValue)),
                        "trial \(trial): value \(s.value / t), exact \(exactValue)")
            } catch LPError.infeasible {
                verdict = "infeasible"
            } catch LPError.unbounded {
                verdict = "unbounded"
            } catch LPError.notConverged where scaling > 20 {
                verdict = "not converged"
            }
            let expected = status == GLP_OPT ? "optimal" : status == GLP_NOFEAS ? "infeasible" : status == GLP_UNBND ? "unbounded" : "\(status)"
            #expect(verdict == expected || verdict == "not converged", "trial \(trial)")
            counts[verdict, default: 0] += 1
        }
        #expect(["optimal", "infeasible", "unbounded"].allSatisfy { counts[$0, default: 0] >= 150 }, "\(counts)")
        #expect(counts["not converged", default: 0] <= 25, "\(counts)")
    }

    /// "Infeasible" and "unbounded" carry verified certificates; the certificate searches
    /// refuse to confirm either verdict for a problem that has an optimum.
    @Test func exitVerdictsAreCertified() throws {
        let infeasible = try LinearProgram(c: [1, 1], G: Matrix(rowArrays: [[1, 0], [-1, 0], [0, -1]])!, h: [0, -1, 0])
        #expect {
            try infeasible.solve()
        } throws: { error in
            isLPError(error, "infeasible") && message(error).contains("Farkas")
        }
        let inconsistent = try LinearProgram(c: [1], A: Matrix(rowArrays: [[1], [1]])!, b: [1, 2])
        #expect { try inconsistent.solve() } throws: { isLPError($0, "infeasible") }
        let unbounded = try LinearProgram(c: [-1, 0], G: Matrix(rowArrays: [[-1, 0], [0, 1], [0, -1]])!, h: [0, 1, 1])
        #expect {
            try unbounded.solve()
        } throws: { error in
            isLPError(error, "unbounded") && message(error).contains("feasible point")
        }
        // Had GLPK said "unbounded" or "infeasible" for a problem with an optimum, the
        // checks would not confirm it.
        let bounded = LPRandomProblem(n: 4, p: 1, m: 8, seed: 5).problem
        #expect(isLPError(bounded.certifiedUnbounded("test", options: LPOptions()), "notConverged"))
        #expect(isLPError(bounded.certifiedInfeasible("test", options: LPOptions()), "notConverged"))
        // An infeasible problem is not confirmed as unbounded either.
        #expect(isLPError(infeasible.certifiedUnbounded("test", options: LPOptions()), "infeasible"))
    }

    // MARK: - 5. Model files

    /// A FIFO blocked GLPK's reader forever; it is refused before any read.
    @Test func fifoModelPathIsRejected() throws {
        let path = NSTemporaryDirectory() + "implicitdiff-lp-\(UUID().uuidString).mps"
        try #require(mkfifo(path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let done = DispatchSemaphore(value: 0)
        let result = LockedBox<String>()
        Thread {
            do { _ = try LPModel.read(path: path, format: .mps); result.set("read") } catch { result.set("\(error)") }
            done.signal()
        }.start()
        if done.wait(timeout: .now() + 20) == .timedOut {
            // Unblock the reader (open for writing, then close: it sees end of file).
            let fd = open(path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
            Issue.record("reading a FIFO blocked")
            _ = done.wait(timeout: .now() + 5)
        }
        let text = result.get() ?? ""
        #expect(text.contains("FIFO") && text.contains("regular file"), "\(text)")
        // A folder is no model either.
        #expect { try LPModel.read(path: NSTemporaryDirectory(), format: .cplexLP) } throws: { message($0).contains("folder") }
    }

    /// Garbage is rejected from the file's first lines instead of being parsed in full
    /// (a 200 MB garbage MPS took 33 s and 1 GB before).
    @Test func garbageModelsAreRejectedFromTheirFirstLines() throws {
        var rng = LPTestRandom(seed: 3)
        let binary = Data((0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: Int(rng.uniform(0...255))) })
        let binaryPath = NSTemporaryDirectory() + "implicitdiff-lp-\(UUID().uuidString).mps"
        try binary.write(to: URL(fileURLWithPath: binaryPath))
        let text = String(repeating: "the quick brown fox jumps over the lazy dog 1 2 3\n", count: 80_000)
        let mpsPath = try lpTemporaryFile(text, suffix: ".mps"), lpPath = try lpTemporaryFile(text, suffix: ".lp")
        defer { for p in [binaryPath, mpsPath, lpPath] { try? FileManager.default.removeItem(atPath: p) } }
        let start = Date()
        #expect { try LPModel.read(path: binaryPath, format: .mps) } throws: { message($0).contains("is not text") || message($0).contains("does not look like") }
        #expect { try LPModel.read(path: mpsPath, format: .mps) } throws: { message($0).contains("does not look like an MPS model") }
        #expect { try LPModel.read(path: lpPath, format: .cplexLP) } throws: { message($0).contains("does not look like a CPLEX LP model") }
        #expect(Date().timeIntervalSince(start) < 5)
        // Valid files still open (a comment line before the first section).
        let commented = try lpTemporaryFile("* a comment\n" + LPNetlibModels.afiro, suffix: ".mps")
        defer { try? FileManager.default.removeItem(atPath: commented) }
        #expect(try LPModel.read(path: commented, format: .mps).columnCount == 32)
    }

    /// A 2 MB MPS with 60 000 columns and default bounds (x >= 0) became a dense
    /// 60 001 x 60 000 matrix (28.8 GB) and aborted. The model now stays sparse: it is
    /// read, solved (x = 0, every cost 1 > 0) and differentiated (d value/d c = x) in
    /// memory proportional to its 60 000 non-zeros; only the dense form, asked for
    /// explicitly, is refused before anything that large is allocated.
    @Test func wideModelStaysSparseAndTheDenseFormIsRefused() throws {
        let n = 60_000
        var text = "NAME WIDE\nROWS\n N OBJ\n L R1\nCOLUMNS\n"
        text.reserveCapacity(40 * n)
        for j in 0..<n { text += " X\(j) OBJ 1 R1 1\n" }
        text += "RHS\n RHS R1 1\nENDATA\n"
        let path = try lpTemporaryFile(text, suffix: ".mps")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try LPModel.read(path: path, format: .mps)
        #expect(model.matrix.nonZeroCount == n)
        let s = try model.solve()
        #expect(s.value == 0 && s.x.scalars.allSatisfy { $0 == 0 })
        let (gc, _, _) = try s.derivative().pullback(x: .zero, value: 1, wrt: [.c])
        #expect(gc == s.x)
        #expect {
            try model.linearProgram()
        } throws: { error in
            let m = message(error)
            return isLPError(error, "invalid") && m.contains("60000 columns") && m.contains("60001 x 60000")
                && m.contains("\(60_001 * 60_000 * 8) bytes") && m.contains("maximumDenseBytes")
        }
    }

    // MARK: - 6. Smoothing

    /// The smoothed derivative starts from the LP vertex: it refuses a vertex that did not
    /// pass its certificate.
    @Test func smoothingRefusesAnUncertifiedVertex() throws {
        let r = LPRandomProblem(n: 4, p: 1, m: 8, seed: 9)
        let s = try r.problem.solve()
        #expect(try r.problem.solveRegularized(gamma: 0.1, startingFrom: s).certificate.passed)
        var z = s.z
        z[0] += 0.5
        let wrong = LinearProgramSolution(
            problem: s.problem, regularization: 0, z: z, lambda: s.lambda, mu: s.mu, value: s.problem.c.dot(z),
            activeSet: s.activeSet, iterations: s.iterations,
            certificate: LPCertificate.check(s.problem, z: z, lambda: s.lambda, mu: s.mu, tolerance: 1e-8))
        #expect(!wrong.certificate.passed)
        #expect {
            try r.problem.solveRegularized(gamma: 0.1, startingFrom: wrong)
        } throws: { error in
            isLPError(error, "notConverged") && message(error).contains("optimality check")
        }
    }
}

/// A value set on one thread and read on another.
private final class LockedBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T? { lock.lock(); defer { lock.unlock() }; return value }
}
