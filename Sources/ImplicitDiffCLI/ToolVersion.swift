/// The package version that `implicitdiff --version` prints (semantic versioning; the
/// second edition of the CLI contract is 0.2).
public enum ToolVersion {
    public static let current = "0.2.0"
}
