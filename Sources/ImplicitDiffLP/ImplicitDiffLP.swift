// Re-export the core so that `import ImplicitDiffLP` brings Vector, Matrix, SparseMatrix
// and ImplicitFunction. This module is the only one that links GLPK (`_CGLPK`).
@_exported import ImplicitDiffCore
