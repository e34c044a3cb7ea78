// swift-tools-version:6.0
import PackageDescription

// Module cut (content/reference/architecture.md): the command layer knows everything; KubeJSON
// (JSON values, JSONPath) and KubeCore (Kubernetes semantics on top of them) know nothing of
// labs, git or processes; CLibGit2 is imported by LabGit alone.
let package = Package(
    name: "klab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "klab", targets: ["klab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        // `klab serve`'s HTTP server: Swift concurrency on sockets, no SwiftNIO (see ClassServer).
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "KubeJSON"),
        .target(name: "KubeCore", dependencies: ["KubeJSON", "Yams"]),
        .target(
            name: "LabSpec",
            dependencies: ["KubeJSON", "KubeCore", "Yams", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(name: "Checks", dependencies: ["KubeJSON", "KubeCore", "LabSpec", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "LabGit", dependencies: ["CLibGit2", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Workspace",
            dependencies: ["LabGit", "LabSpec", "Checks", "KubeJSON", "KubeCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "Grading", dependencies: ["Workspace", "LabGit", "LabSpec", "Checks", "KubeJSON", "KubeCore"]),
        // The live class dashboard (`klab serve`): the one module that knows HTTP.
        .target(
            name: "ClassServer",
            dependencies: ["Grading", "Workspace", "Checks", "LabSpec", "KubeJSON", .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "KlabCLI",
            dependencies: [
                "KubeJSON", "KubeCore", "LabSpec", "Checks", "LabGit", "Workspace", "Grading", "ClassServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "klab", dependencies: ["KlabCLI"]),

        // What every test target shares: one process runner, one git witness, one golden-file
        // helper, the watch tests' clock (hence Checks).
        .target(name: "TestSupport", dependencies: ["LabGit", "Checks"], path: "Tests/TestSupport"),
        .testTarget(name: "KubeJSONTests", dependencies: ["KubeJSON"]),
        .testTarget(name: "KubeCoreTests", dependencies: ["KubeCore", "KubeJSON"]),
        .testTarget(name: "LabSpecTests", dependencies: ["LabSpec", "TestSupport"]),
        .testTarget(name: "ChecksTests", dependencies: ["Checks", "TestSupport"]),
        .testTarget(name: "LabGitTests", dependencies: ["LabGit", "TestSupport"]),
        .testTarget(name: "WorkspaceTests", dependencies: ["Workspace", "TestSupport"]),
        .testTarget(name: "GradingTests", dependencies: ["Grading", "TestSupport"]),
        .testTarget(name: "ClassServerTests", dependencies: ["ClassServer", "Grading", "LabSpec", "Workspace", "KubeJSON", "TestSupport"]),
        .testTarget(name: "KlabCLITests", dependencies: ["KlabCLI", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer harness (Fuzz/, content/reference/testing.md) joins the package only when
// Scripts/fuzz asks for it, so the ordinary build never compiles or links it.
if Context.environment["KLAB_FUZZ"] == "1" {
    package.targets.append(.executableTarget(
        name: "klab-fuzz",
        dependencies: ["KubeJSON", "KubeCore", "LabSpec", "Checks", "LabGit", "Grading"],
        path: "Fuzz/klab-fuzz"
    ))
}
