import ImplicitDiffCore
import Testing

// The one closeness check of every test target: max-norm, relative to the expected
// value's scale, with an absolute part for values that are expected to vanish.

/// Expects `max_i |actual_i - expected_i| <= atol + rtol * max(max_i |expected_i|, floor)`,
/// printing expected, observed and the error when it fails (`floor` gives the relative
/// part a scale when `expected` is tiny; `atol` allows an absolute error).
public func expectClose(_ actual: Vector, _ expected: Vector, rtol: Double, atol: Double = 0, floor: Double = 0,
                        _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what): length \(actual.count), expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let error = actual.count == 0 ? 0 : (actual - expected).maxNorm
    let scale = Swift.max(expected.count == 0 ? 0 : expected.maxNorm, floor)
    let bound = atol + rtol * scale
    #expect(error <= bound,
            "\(what): max error \(error) > \(bound) (atol \(atol) + rtol \(rtol) x \(scale)); expected \(expected.scalars.prefix(8)), observed \(actual.scalars.prefix(8))",
            sourceLocation: sourceLocation)
}

/// ``expectClose(_:_:rtol:atol:floor:_:sourceLocation:)`` on the entries of two matrices
/// of the same shape.
public func expectClose(_ actual: Matrix, _ expected: Matrix, rtol: Double, atol: Double = 0, floor: Double = 0,
                        _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.rows == expected.rows && actual.columns == expected.columns,
            "\(what): shape \(actual.rows)x\(actual.columns), expected \(expected.rows)x\(expected.columns)",
            sourceLocation: sourceLocation)
    expectClose(Vector(actual.scalars), Vector(expected.scalars), rtol: rtol, atol: atol, floor: floor, what,
                sourceLocation: sourceLocation)
}

/// ``expectClose(_:_:rtol:atol:floor:_:sourceLocation:)`` on two numbers.
public func expectClose(_ actual: Double, _ expected: Double, rtol: Double, atol: Double = 0, floor: Double = 0,
                        _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(Vector([actual]), Vector([expected]), rtol: rtol, atol: atol, floor: floor, what,
                sourceLocation: sourceLocation)
}
