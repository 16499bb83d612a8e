extension SparseQuadraticProgram {
    /// The QP of a QPS file as a minimisation (``QPSModel/problem``: the objective's
    /// constant is dropped and a maximisation is negated; read ``QPSModel`` for the names,
    /// the constant and the sense).
    ///
    /// - Throws: the ``QPSError`` of ``QPSModel/init(contentsOfFile:)``.
    public init(qpsFile path: String) throws {
        self = try QPSModel(contentsOfFile: path).problem
    }
}
