// Umbrella module: its only contents are re-exports.
@_exported import ImplicitDiffCore
@_exported import ImplicitDiffLP
@_exported import ImplicitDiffNewton
@_exported import ImplicitDiffProx
@_exported import ImplicitDiffQP
@_exported import ImplicitDiffSinkhorn
