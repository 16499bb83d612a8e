// Re-export the core so that `import ImplicitDiffSinkhorn` brings Vector, Matrix and ImplicitFunction.
@_exported import ImplicitDiffCore
