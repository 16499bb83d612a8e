extension LSQR {
    /// The augmented operator `[A; λI]` (`(m + n) x n`) of damped least squares
    /// `min ||A x - b||² + λ² ||x||² = min || [A; λI] x - [b; 0] ||²`. Not API.
    ///
    /// ```
    /// apply(x)          = [A x; λ x]
    /// applyTransposed(y) = A' y[0..<m] + λ y[m..<m+n]
    /// ```
    struct DampedOperator<Base: AdjointableLinearOperator>: AdjointableLinearOperator {
        let base: Base
        let damping: Double

        var rowCount: Int { base.rowCount + base.columnCount }
        var columnCount: Int { base.columnCount }

        func apply(_ x: Vector) -> Vector {
            var y = base.apply(x).materialized(count: base.rowCount)
            y.scalars.append(contentsOf: (damping * x.materialized(count: base.columnCount)).scalars)
            return y
        }

        func applyTransposed(_ y: Vector) -> Vector {
            let m = base.rowCount
            let full = y.materialized(count: rowCount)
            var x = base.applyTransposed(full.slice(0..<m)).materialized(count: base.columnCount)
            x.add(full.slice(m..<full.count), scaledBy: damping)
            return x
        }
    }
}
