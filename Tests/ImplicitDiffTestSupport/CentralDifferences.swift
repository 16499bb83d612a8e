import ImplicitDiffCore

// The one finite-difference reference of every test target: central differences, whose
// error is O(h^2) truncation plus O(ulp |f| / h) rounding (plus the inner solver's error
// over h): with h ~ 1e-6 relative and tightly solved problems, ~1e-10 relative.

/// `(f(t) - f(-t)) / 2t`: the derivative at 0 of a path `f` through the point of interest.
public func centralDifference(step t: Double = 1e-6, _ f: (Double) throws -> Vector) rethrows -> Vector {
    (try f(t) - (try f(-t))) / (2 * t)
}

/// `(f(t) - f(-t)) / 2t` of a scalar path.
public func centralDifference(step t: Double = 1e-6, _ f: (Double) throws -> Double) rethrows -> Double {
    (try f(t) - (try f(-t))) / (2 * t)
}

/// The directional derivative of `f` at `x` along `v`, with step `h max(1, |x|) / |v|`
/// (max norms).
public func finiteDifference(at x: Vector, along v: Vector, h: Double = 1e-6,
                             _ f: (Vector) throws -> Vector) rethrows -> Vector {
    let step = h * Swift.max(1, x.maxNorm) / Swift.max(v.maxNorm, 1e-300)
    return try centralDifference(step: step) { t in try f(x + t * v) }
}

/// The Jacobian of `f` at `x` by central differences, column by column, for the
/// coordinates `indices` (all by default; the columns in that order), with steps
/// `h max(1, |x_k|)`.
public func finiteDifferenceJacobian(at x: Vector, indices: [Int]? = nil, h: Double = 1e-6,
                                     _ f: (Vector) throws -> Vector) rethrows -> Matrix {
    let columns = indices ?? Array(0..<x.count)
    var jacobian: Matrix?
    for (k, i) in columns.enumerated() {
        var unit = Vector.zeros(x.count)
        unit[i] = 1
        let column = try centralDifference(step: h * Swift.max(1, abs(x[i]))) { t in try f(x + t * unit) }
        if jacobian == nil { jacobian = Matrix(rows: column.count, columns: columns.count) }
        jacobian!.setColumn(k, to: column)
    }
    return jacobian ?? Matrix(rows: 0, columns: 0)
}

/// The gradient of a scalar `f` at `x` by central differences, steps `h max(1, |x_k|)`.
public func finiteDifferenceGradient(at x: Vector, h: Double = 1e-6, _ f: (Vector) throws -> Double) rethrows -> Vector {
    var gradient = Vector.zeros(x.count)
    for k in 0..<x.count {
        var unit = Vector.zeros(x.count)
        unit[k] = 1
        gradient[k] = try centralDifference(step: h * Swift.max(1, abs(x[k]))) { t in try f(x + t * unit) }
    }
    return gradient
}
