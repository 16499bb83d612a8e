import ImplicitDiffCore
import Testing

/// Direct solvers are checked by multiplying back. A backward-stable solve returns the exact
/// solution of a nearby system, so the normwise backward error
/// `||b - A x|| / (||A|| ||x|| + ||b||)` is a small multiple of `n * ulp` (~1e-14 for n = 40)
/// independently of the condition number; 1e-12 leaves a wide margin, while a wrong solve
/// (wrong triangle, wrong transpose) gives O(1).
private let backwardTolerance = 1e-12

@Suite("Factorisations")
struct FactorizationTests {
    /// Vector and matrix right-hand sides, plain and transposed, for any factorisation of `a`.
    func checkSolves(_ f: some Factorization, _ a: Matrix, _ rng: inout SplitMix64,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let n = a.rows
        let b = TestData.vector(n, &rng)
        #expect(backwardError(a, f.solve(b), b) < backwardTolerance, sourceLocation: sourceLocation)
        #expect(backwardError(a.transposed, f.solveTransposed(b), b) < backwardTolerance, sourceLocation: sourceLocation)
        let bs = TestData.matrix(n, 3, &rng)
        let xs = f.solve(bs)
        let ys = f.solveTransposed(bs)
        #expect(xs.rows == n && xs.columns == 3, sourceLocation: sourceLocation)
        for j in 0..<3 {
            // Column j of the matrix solve equals the vector solve of column j (same LAPACK path).
            expectClose(xs.column(j), f.solve(bs.column(j)), relativeTolerance: 1e-14, sourceLocation: sourceLocation)
            #expect(backwardError(a, xs.column(j), bs.column(j)) < backwardTolerance, sourceLocation: sourceLocation)
            #expect(backwardError(a.transposed, ys.column(j), bs.column(j)) < backwardTolerance,
                    sourceLocation: sourceLocation)
        }
    }

    @Test("LU: solves, transposed solves, matrix right-hand sides", arguments: testSeeds)
    func lu(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let a = TestData.matrix(40, 40, &rng)
        let f = try LUFactorization(a)
        #expect(f.dimension == 40 && f.reciprocalCondition > 0)
        checkSolves(f, a, &rng)
    }

    @Test("Cholesky: SPD solves; indefinite input throws notPositiveDefinite", arguments: testSeeds)
    func cholesky(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let a = TestData.spd(40, &rng)
        checkSolves(try CholeskyFactorization(a), a, &rng)
        let indefinite = try TestData.symmetricIndefinite(10, &rng)
        #expect {
            _ = try CholeskyFactorization(indefinite)
        } throws: { error in
            if case .notPositiveDefinite? = error as? LinearAlgebraError { return true }
            return false
        }
    }

    @Test("LDL': symmetric indefinite solves", arguments: testSeeds)
    func ldlt(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let a = try TestData.symmetricIndefinite(40, &rng)
        checkSolves(try SymmetricIndefiniteFactorization(a), a, &rng)
    }

    @Test("QR: least squares satisfies the normal equations; square QR solves", arguments: testSeeds)
    func qr(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let (m, n) = (50, 20)
        let a = TestData.matrix(m, n, &rng)
        let f = try QRFactorization(a)
        #expect(f.rowCount == m && f.columnCount == n)
        // Q R reproduces A, and Q has orthonormal columns, to a few ulp times the dimensions.
        let q = f.orthogonalFactor, r = f.upperTriangularFactor
        #expect((q * r - a).maxNorm <= 1e-13)
        #expect((Matrix.product(q, transposed: true, q, transposed: false) - Matrix.identity(n)).maxNorm <= 1e-13)

        // Least squares: the residual is orthogonal to range(A). ||A'r|| / (||A|| ||r||) is the
        // cosine between r and range(A): zero in exact arithmetic, O(m n ulp) computed.
        let b = TestData.vector(m, &rng)
        let x = f.leastSquares(b)
        let residual = b - a * x
        let aNorm = Vector(a.scalars).norm
        #expect(a.transposedTimes(residual).norm <= 1e-12 * aNorm * residual.norm)
        // Matrix right-hand side: column by column the same answer.
        let bs = TestData.matrix(m, 3, &rng)
        let xs = f.leastSquares(bs)
        #expect(xs.rows == n && xs.columns == 3)
        for j in 0..<3 { expectClose(xs.column(j), f.leastSquares(bs.column(j)), relativeTolerance: 1e-14) }

        // Minimum-norm solve of the underdetermined A' y = c: consistent and in range(A).
        let c = TestData.vector(n, &rng)
        let y = f.minimumNormSolveTransposed(c)
        #expect(backwardError(a.transposed, y, c) < backwardTolerance)
        expectClose(a * f.leastSquares(y), y, relativeTolerance: 1e-12, "y must lie in range(A)")
        // Row-major n x 2 matrix [c, c].
        let ys = f.minimumNormSolveTransposed(Matrix(rows: n, columns: 2, scalars: c.scalars.flatMap { [$0, $0] }))
        expectClose(ys.column(1), y, relativeTolerance: 1e-14)

        // Square: least squares is the solve.
        let square = TestData.matrix(30, 30, &rng)
        let d = TestData.vector(30, &rng)
        let sq = try QRFactorization(square)
        #expect(backwardError(square, sq.leastSquares(d), d) < backwardTolerance)
        #expect(backwardError(square.transposed, sq.minimumNormSolveTransposed(d), d) < backwardTolerance)
    }

    @Test("Singular and rank-deficient input throws singular")
    func singular() throws {
        var rng = SplitMix64(seed: 31)
        // Square with a repeated column: exactly rank deficient (up to the rounding in forming it).
        var a = TestData.matrix(10, 10, &rng)
        a.setColumn(9, to: a.column(0))
        for make in [{ _ = try LUFactorization(a) }, { _ = try SymmetricIndefiniteFactorization(Matrix.product(a, transposed: true, a, transposed: false)) },
                     { _ = try QRFactorization(a) }] as [() throws -> Void] {
            #expect {
                try make()
            } throws: { error in
                if case .singular? = error as? LinearAlgebraError { return true }
                return false
            }
        }
        // Tall and rank deficient: third column = first + second.
        var tall = TestData.matrix(20, 5, &rng)
        tall.setColumn(2, to: tall.column(0) + tall.column(1))
        #expect {
            _ = try QRFactorization(tall)
        } throws: { error in
            if case .singular? = error as? LinearAlgebraError { return true }
            return false
        }
        // Positive semidefinite (rank 5 of 10): Cholesky reports singular or not positive definite.
        let low = TestData.matrix(5, 10, &rng)
        let psd = Matrix.product(low, transposed: true, low, transposed: false)
        #expect(throws: LinearAlgebraError.self) { _ = try CholeskyFactorization(psd) }
    }

    @Test("Non-square and non-finite input throws")
    func shapes() throws {
        var rng = SplitMix64(seed: 32)
        let wide = TestData.matrix(4, 6, &rng)
        for make in [{ _ = try LUFactorization(wide) }, { _ = try CholeskyFactorization(wide) },
                     { _ = try SymmetricIndefiniteFactorization(wide) }, { _ = try QRFactorization(wide) }]
            as [() throws -> Void] {
            #expect {
                try make()
            } throws: { error in
                if case .dimensionMismatch? = error as? LinearAlgebraError { return true }
                return false
            }
        }
        var bad = TestData.spd(5, &rng)
        bad[1, 1] = .nan
        #expect(throws: LinearAlgebraError.nonFinite("the matrix to factorise")) { _ = try LUFactorization(bad) }
        #expect(throws: LinearAlgebraError.nonFinite("the matrix to factorise")) { _ = try QRFactorization(bad) }
    }
}
