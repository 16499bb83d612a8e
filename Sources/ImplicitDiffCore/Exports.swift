// `gradient(at:of:)`, `valueWithPullback(at:of:)` and `@differentiable` come with the
// package: `import ImplicitDiffCore` (or any module that re-exports it) is enough.
@_exported import _Differentiation
