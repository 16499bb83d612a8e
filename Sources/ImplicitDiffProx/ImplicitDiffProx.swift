// Re-export the core so that `import ImplicitDiffProx` brings Vector, Matrix and ImplicitFunction.
@_exported import ImplicitDiffCore
