// Re-export the core so that `import ImplicitDiffQP` brings Vector, Matrix and ImplicitFunction.
@_exported import ImplicitDiffCore
