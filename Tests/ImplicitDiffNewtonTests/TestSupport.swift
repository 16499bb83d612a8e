import ImplicitDiffNewton
@_exported import ImplicitDiffTestSupport  // the shared SplitMix64, for every file of this target
import Testing

/// Seeds every randomised test loops over.
let testSeeds: [UInt64] = [1, 2, 3]

/// Central differences of `y(x)` along `dx`: `(y(x + h dx) - y(x - h dx)) / (2h)`, with
/// Richardson extrapolation from steps `h` and `h/2`, which cancels the `O(h^2)` term:
/// error `O(h^4)` truncation plus `O(ulp ||y|| / h)` rounding (with the solver's own error
/// relative to `h`). With tightly solved `y` and `h ~ 1e-3` the result is good to ~1e-9.
func centralDifference(_ y: (Vector) throws -> Vector, at x: Vector, along dx: Vector, step h: Double = 1e-3) rethrows -> Vector {
    let coarse = try centralDifference(step: h) { t in try y(x + t * dx) }
    let fine = try centralDifference(step: h / 2) { t in try y(x + t * dx) }
    return (4.0 * fine - coarse) / 3
}
