/// The smoothed problem of an ``LPModel`` (``LPModelSolution/smoothedDerivative(gamma:solverOptions:options:)``):
/// `min c'x + gamma/2 ||x||^2` over the model's constraints, on the dense
/// ``LinearProgram`` form, with its implicit derivative. Not API.
struct LPModelSmoothing {
    /// Where the model's rows and bounds land in the form.
    let map: LPModelRowMap
    /// The smoothed solution of the form.
    let form: LinearProgramSolution
    /// Its implicit derivative.
    let base: ImplicitDerivative
}
