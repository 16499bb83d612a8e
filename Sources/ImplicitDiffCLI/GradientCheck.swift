import ImplicitDiff

/// Checks a kind's implicit derivatives against central finite differences on a sample
/// problem: for a random tangent `t` on each parameter, compares the JVP with
/// `(y(p + h t) - y(p - h t)) / 2h` for every output, and the VJP with the JVP through
/// the adjoint identity `<ybar, J t> = <J' ybar, t>`.
///
/// Tangents are made admissible for every kind: square matrices are symmetrised (Q must
/// stay symmetric) and vectors are centred (marginals must keep their mass).
public struct GradientCheck {
    public struct Row: Sendable {
        public var kind: String
        public var parameter: String
        /// max over outputs of |JVP - FD| / max(|FD|), the worst output named.
        public var forwardError: Double
        public var worstOutput: String
        /// |<ybar, J t> - <J' ybar, t>| / max(|.|).
        public var adjointError: Double
        public var passed: Bool
        public var note: String
    }

    public var step = 1e-6
    public var tolerance = 1e-5
    public init() {}

    public func run(kind: any ProblemKind.Type, seed: UInt64) -> [Row] {
        guard let data = kind.sample(seed: seed) else {
            return [Row(kind: kind.name, parameter: "-", forwardError: .nan, worstOutput: "", adjointError: .nan,
                        passed: false, note: "the kind has no sample problem to check")]
        }
        let options = ProblemOptions(tol: 1e-13)
        do {
            let base = try kind.solve(data, options: options)
            var g = SampleGenerator(seed: seed ^ 0xABCDEF)
            return try base.parameterShapes.map { p in
                var t = Tensor(shape: p.shape, scalars: g.vector(p.shape.reduce(1, *)).scalars)
                t = admissible(t)
                let (jvp, _) = try base.jvp([p.name: t])
                let scale = max(1, data[p.name].map(numbersOf).map { $0.map(abs).max() ?? 0 } ?? 1)
                let h = step * scale
                let plus = try kind.solve(perturbed(data, p.name, t, h), options: options)
                let minus = try kind.solve(perturbed(data, p.name, t, -h), options: options)
                var worst = 0.0, worstName = ""
                for (o, mo) in zip(plus.outputs, minus.outputs) {
                    let fd = zip(o.value.scalars, mo.value.scalars).map { ($0 - $1) / (2 * h) }
                    guard let an = jvp[o.name]?.scalars, an.count == fd.count else {
                        // An output the JVP does not give (or gives at the wrong size) fails the check.
                        worst = .infinity
                        worstName = o.name
                        break
                    }
                    let err = zip(an, fd).map { abs($0 - $1) }.max() ?? 0
                    let rel = err / max(fd.map(abs).max() ?? 0, 1e-8)
                    if rel > worst { worst = rel; worstName = o.name }
                }
                // Adjoint identity with a random cotangent on every output.
                var cot = [String: Tensor]()
                for o in base.outputs { cot[o.name] = Tensor(shape: o.value.shape, scalars: g.vector(o.value.count).scalars) }
                let (vjp, _) = try base.vjp(cot)
                let lhs = base.outputs.reduce(0.0) { acc, o in
                    acc + zip(cot[o.name]!.scalars, jvp[o.name]?.scalars ?? []).reduce(0) { $0 + $1.0 * $1.1 }
                }
                let rhs = zip(vjp[p.name]?.scalars ?? [], t.scalars).reduce(0) { $0 + $1.0 * $1.1 }
                let adj = abs(lhs - rhs) / max(abs(lhs), abs(rhs), 1e-12)
                return Row(kind: kind.name, parameter: p.name, forwardError: worst, worstOutput: worstName,
                           adjointError: adj, passed: worst <= tolerance && adj <= 1e-8, note: "")
            }
        } catch {
            return [Row(kind: kind.name, parameter: "-", forwardError: .nan, worstOutput: "", adjointError: .nan,
                        passed: false, note: "\(error)")]
        }
    }

    func admissible(_ t: Tensor) -> Tensor {
        var t = t
        if t.shape.count == 2, t.shape[0] == t.shape[1] {
            let m = t.matrix.symmetricPart
            t.scalars = m.scalars
        } else if t.shape.count == 1, t.count > 1 {
            let mean = t.scalars.reduce(0, +) / Double(t.count)
            t.scalars = t.scalars.map { $0 - mean }
        }
        return t
    }

    func perturbed(_ data: JSONObject, _ name: String, _ t: Tensor, _ h: Double) -> JSONObject {
        var d = data
        guard let i = d.entries.lastIndex(where: { $0.key == name }) else { return d }
        let values = numbersOf(d.entries[i].value)
        let moved = Tensor(shape: t.shape, scalars: zip(values, t.scalars).map { $0 + h * $1 })
        d.entries[i].value = moved.json
        return d
    }
}

func numbersOf(_ j: JSON) -> [Double] {
    switch j {
    case let .number(d): return [d]
    case let .array(a): return a.flatMap(numbersOf)
    case let .numbers(values): return values
    default: return []
    }
}
