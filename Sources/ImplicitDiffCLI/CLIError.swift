import ImplicitDiff

/// The errors of the CLI contract, each with its exit code and JSON `kind`.
public enum CLIError: Error, Equatable, CustomStringConvertible {
    /// Exit 2: malformed JSON, unknown kind, missing field, shape mismatch, non-finite
    /// data, wrong sign, invalid derivative request.
    case invalidInput(String)
    /// Exit 3: the forward problem has no feasible point.
    case infeasible(String)
    /// Exit 3: the forward problem is unbounded.
    case unbounded(String)
    /// Exit 3: the forward solver (or the derivative's iterative linear solve) did not converge.
    case notConverged(String)
    /// Exit 4: a derivative was requested where the solution is not differentiable.
    case notDifferentiable(String)

    public var exitCode: Int32 {
        switch self {
        case .invalidInput: return 2
        case .infeasible, .unbounded, .notConverged: return 3
        case .notDifferentiable: return 4
        }
    }

    public var kind: String {
        switch self {
        case .invalidInput: return "invalid_input"
        case .infeasible: return "infeasible"
        case .unbounded: return "unbounded"
        case .notConverged: return "not_converged"
        case .notDifferentiable: return "not_differentiable"
        }
    }

    public var message: String {
        switch self {
        case let .invalidInput(m), let .infeasible(m), let .unbounded(m), let .notConverged(m), let .notDifferentiable(m):
            return m
        }
    }

    public var description: String { "\(kind): \(message)" }

    /// The error document `{"error": {"kind": ..., "message": ...}}`.
    public var json: JSON {
        .object(JSONObject([("error", .object(JSONObject([("kind", .string(kind)), ("message", .string(message))])))]))
    }

    /// Maps a library error met while differentiating to the contract's error.
    public static func fromDerivative(_ error: any Error) -> CLIError {
        switch error {
        case let e as CLIError: return e
        case let e as ImplicitDifferentiationError:
            switch e {
            case .singularSystem, .residualTooLarge: return .notDifferentiable(e.description)
            case .linearSolveFailed: return .notConverged(e.description)
            case .dimensionMismatch, .unsuitableLinearSolver: return .invalidInput(e.description)
            case .nonFinite: return .notDifferentiable(e.description)
            }
        case let e as LinearAlgebraError: return .notDifferentiable(e.description)
        case let e as KrylovError: return .notConverged(e.description)
        default: return .notDifferentiable("\(error)")
        }
    }
}
