// swift-tools-version: 6.0
//
// ImplicitDiff: derivatives of solver outputs by the implicit function theorem.
// Every problem module is its own library product and depends only on the core
// (and, for LP, on the GLPK shim): only `import ImplicitDiffLP` pulls in GLPK.
import PackageDescription

let package = Package(
    name: "ImplicitDiff",
    products: [
        .library(name: "ImplicitDiffCore", targets: ["ImplicitDiffCore"]),
        .library(name: "ImplicitDiffQP", targets: ["ImplicitDiffQP"]),
        .library(name: "ImplicitDiffLP", targets: ["ImplicitDiffLP"]),
        .library(name: "ImplicitDiffProx", targets: ["ImplicitDiffProx"]),
        .library(name: "ImplicitDiffSinkhorn", targets: ["ImplicitDiffSinkhorn"]),
        .library(name: "ImplicitDiffNewton", targets: ["ImplicitDiffNewton"]),
        .library(name: "ImplicitDiff", targets: ["ImplicitDiff"]),
        .executable(name: "implicitdiff", targets: ["implicitdiff"]),
        .plugin(name: "GradCheck", targets: ["GradCheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Documentation only: `swift package generate-documentation --target ImplicitDiffCore`.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // System-library shims (module maps only). Underscore: not API.
        // `providers` makes SwiftPM name the Debian package when a header is missing.
        .systemLibrary(name: "_CLAPACK", path: "Sources/_CLAPACK",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "_CGLPK", path: "Sources/_CGLPK", providers: [.apt(["libglpk-dev"])]),
        .systemLibrary(name: "_CSuiteSparse", path: "Sources/_CSuiteSparse", providers: [.apt(["libsuitesparse-dev"])]),

        // Shared kernels (not API, not a product; underscore): the BLAS/LAPACK wrappers,
        // the vectorised exponential and the row-major loops that several modules run in
        // their inner loops, all `@inlinable` so that they inline across modules.
        .target(name: "_ImplicitDiffKernels", dependencies: ["_CLAPACK"]),

        // The theorem, linear algebra, lazy operators, Krylov and direct solvers.
        .target(name: "ImplicitDiffCore", dependencies: ["_ImplicitDiffKernels", "_CLAPACK"]),

        // Problem modules: each depends on the core (and the internal kernels) only.
        .target(name: "ImplicitDiffQP", dependencies: ["ImplicitDiffCore", "_ImplicitDiffKernels", "_CSuiteSparse"]),
        .target(name: "ImplicitDiffLP", dependencies: ["ImplicitDiffCore", "_ImplicitDiffKernels", "_CGLPK"]),
        .target(name: "ImplicitDiffProx", dependencies: ["ImplicitDiffCore", "_ImplicitDiffKernels"]),
        .target(name: "ImplicitDiffSinkhorn", dependencies: ["ImplicitDiffCore", "_ImplicitDiffKernels"]),
        .target(name: "ImplicitDiffNewton", dependencies: ["ImplicitDiffCore", "_ImplicitDiffKernels"]),

        // Umbrella: `import ImplicitDiff` brings every module.
        .target(name: "ImplicitDiff", dependencies: [
            "ImplicitDiffCore", "ImplicitDiffQP", "ImplicitDiffLP", "ImplicitDiffProx",
            "ImplicitDiffSinkhorn", "ImplicitDiffNewton",
        ]),

        // The command-line tool: JSON problem in, solution and derivatives out.
        // The logic lives in a library target so that tests can drive it in-process.
        .target(name: "ImplicitDiffCLI", dependencies: ["ImplicitDiff", "_ImplicitDiffKernels"]),
        .executableTarget(name: "implicitdiff", dependencies: [
            "ImplicitDiffCLI", "_ImplicitDiffKernels",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Examples: runnable programs, `swift run NAME`.
        .target(name: "ExampleSupport", path: "Examples/ExampleSupport"),
        .executableTarget(name: "SqrtThreeWays", dependencies: ["ImplicitDiffCore"], path: "Examples/SqrtThreeWays"),
        .executableTarget(name: "DecisionFocusedLearning", dependencies: ["ImplicitDiffLP", "ExampleSupport"], path: "Examples/DecisionFocusedLearning"),
        .executableTarget(name: "BratuContinuation", dependencies: ["ImplicitDiffNewton", "ExampleSupport"], path: "Examples/BratuContinuation"),
        .executableTarget(name: "SinkhornGradientFlow", dependencies: ["ImplicitDiffSinkhorn", "ExampleSupport"], path: "Examples/SinkhornGradientFlow"),
        .executableTarget(name: "LassoTuning", dependencies: ["ImplicitDiffProx", "ExampleSupport"], path: "Examples/LassoTuning"),
        .executableTarget(name: "QPLayerFitting", dependencies: ["ImplicitDiffQP", "ExampleSupport"], path: "Examples/QPLayerFitting"),

        // Benchmarks (not API): `swift run -c release CoreBenchmarks`; the side-by-side runs
        // against the Python anchors are in Benchmarks/anchors (they drive the CLI). The ridge
        // benchmark uses ImplicitDiffProx (ridge regression lives there).
        .executableTarget(name: "CoreBenchmarks", dependencies: ["ImplicitDiffCore", "ImplicitDiffProx"], path: "Benchmarks/CoreBenchmarks"),

        // `swift package gradcheck`: implicit derivatives vs finite differences, every kind.
        .plugin(name: "GradCheck", capability: .command(
            intent: .custom(verb: "gradcheck", description: "Check implicit derivatives against finite differences"))),

        // Seeded test data shared by the test targets (not in any product).
        .target(name: "ImplicitDiffTestSupport", dependencies: ["ImplicitDiffCore"], path: "Tests/ImplicitDiffTestSupport"),
        .testTarget(name: "ImplicitDiffCoreTests", dependencies: ["ImplicitDiffCore", "_ImplicitDiffKernels", "ImplicitDiffTestSupport"]),
        .testTarget(name: "ImplicitDiffQPTests", dependencies: ["ImplicitDiffQP", "ImplicitDiffTestSupport"]),
        .testTarget(name: "ImplicitDiffLPTests", dependencies: ["ImplicitDiffLP", "_CGLPK", "ImplicitDiffTestSupport",
                                                       "ImplicitDiffQP"]),  // QP: the smoothed LP vs the QP solver
        // Link check (not API): a QP-only consumer; Tests/QPOnlyConsumer/check-links.sh runs
        // `ldd` on it (.ci/run) and fails if GLPK is linked.
        .executableTarget(name: "QPOnlyConsumer", dependencies: ["ImplicitDiffQP"], path: "Tests/QPOnlyConsumer",
                         exclude: ["check-links.sh"]),
        .testTarget(name: "ImplicitDiffProxTests", dependencies: ["ImplicitDiffProx", "ImplicitDiffTestSupport"]),
        .testTarget(name: "ImplicitDiffSinkhornTests", dependencies: ["ImplicitDiffSinkhorn", "ImplicitDiffTestSupport"]),
        .testTarget(name: "ImplicitDiffNewtonTests", dependencies: ["ImplicitDiffNewton", "_CLAPACK", "ImplicitDiffTestSupport"]),
        .testTarget(name: "ImplicitDiffCLITests", dependencies: ["ImplicitDiffCLI"]),
        // The command line itself: `solve`'s parser-free path against ArgumentParser.
        .testTarget(name: "ImplicitDiffToolTests", dependencies: [
            "implicitdiff",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The umbrella's DocC snippet, compiled against `import ImplicitDiff` alone.
        .testTarget(name: "ImplicitDiffTests", dependencies: ["ImplicitDiff"]),
    ],
    swiftLanguageModes: [.v6]
)
