// Re-export the core so that `import ImplicitDiffNewton` brings Vector, Matrix and ImplicitFunction.
@_exported import ImplicitDiffCore
