import ImplicitDiffNewton
@_exported import ImplicitDiffTestSupport  // the shared SplitMix64, for every file of this target
import Testing

/// Seeds every randomised test loops over.
let testSeeds: [UInt64] = [1, 2, 3]

/// Expects `max_i |observed_i - expected_i| <= rtol * max_i |expected_i| + atol` (max-norm,
/// as the CLI checker compares), printing expected, observed and the error on failure.
func expectClose(_ observed: Vector, _ expected: Vector, rtol: Double, atol: Double = 0,
                 _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    guard observed.count == expected.count else {
        Issue.record("length \(observed.count), expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let error = (observed - expected).maxNorm
    let bound = rtol * expected.maxNorm + atol
    #expect(error <= bound,
            "\(comment.map { "\($0): " } ?? "")error \(error) > \(bound)\n  expected \(expected.scalars.prefix(8))\n  observed \(observed.scalars.prefix(8))",
            sourceLocation: sourceLocation)
}

/// Scalar version of ``expectClose(_:_:rtol:atol:_:sourceLocation:)``.
func expectClose(_ observed: Double, _ expected: Double, rtol: Double, atol: Double = 0,
                 _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(Vector([observed]), Vector([expected]), rtol: rtol, atol: atol, comment, sourceLocation: sourceLocation)
}

/// Matrix version (entries compared as one vector).
func expectClose(_ observed: Matrix, _ expected: Matrix, rtol: Double, atol: Double = 0,
                 _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(observed.rows == expected.rows && observed.columns == expected.columns,
            "shape \(observed.rows)x\(observed.columns), expected \(expected.rows)x\(expected.columns)",
            sourceLocation: sourceLocation)
    expectClose(Vector(observed.scalars), Vector(expected.scalars), rtol: rtol, atol: atol, comment,
                sourceLocation: sourceLocation)
}

/// Central differences of `y(x)` along `dx`: `(y(x + h dx) - y(x - h dx)) / (2h)`, with
/// Richardson extrapolation from steps `h` and `h/2`, which cancels the `O(h^2)` term:
/// error `O(h^4)` truncation plus `O(ulp ||y|| / h)` rounding (with the solver's own error
/// relative to `h`). With tightly solved `y` and `h ~ 1e-3` the result is good to ~1e-9.
func centralDifference(_ y: (Vector) throws -> Vector, at x: Vector, along dx: Vector, step h: Double = 1e-3) rethrows -> Vector {
    func d(_ h: Double) throws -> Vector {
        var xp = x, xm = x
        xp.add(dx, scaledBy: h)
        xm.add(dx, scaledBy: -h)
        return (try y(xp) - (try y(xm))) / (2 * h)
    }
    let coarse = try d(h), fine = try d(h / 2)
    return (4.0 * fine - coarse) / 3
}
