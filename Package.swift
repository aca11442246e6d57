// swift-tools-version:6.0
// Meridian: an IEEE 1588-2019 grandmaster and boundary-clock daemon for Linux.
// The target graph and its import rules are in ../shared/DESIGN.md; `make lint` checks them.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Meridian",
    products: [
        .executable(name: "meridiand", targets: ["meridiand"]),
        .executable(name: "meridianctl", targets: ["meridianctl"]),
        .executable(name: "meridian-sim", targets: ["meridian-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        // The HTTP endpoint (issue 16): SwiftNIO's HTTP/1.1 server, not a framework, for build time; the
        // Prometheus text format from swift-prometheus's registry.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Zone topology files for meridian-sim (issue 18): YAML through Yams (libyaml inside), decoded in MeridianZone only.
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
    ],
    targets: [
        // Pure values and logic: standard library only (DESIGN.md, "Targets").
        // libm backs Double.rounded(); linking it is not an import, the target stays pure.
        .target(name: "PTPCore", swiftSettings: strict, linkerSettings: [.linkedLibrary("m")]),
        .target(name: "PTPWire", dependencies: ["PTPCore"], swiftSettings: strict),
        .target(name: "PTPServo", dependencies: ["PTPCore"], swiftSettings: strict),
        .target(name: "PTPEngine", dependencies: ["PTPCore", "PTPWire", "PTPServo"], swiftSettings: strict),
        .target(name: "PTPManagement", dependencies: ["PTPCore", "PTPWire"], swiftSettings: strict),
        .target(name: "MeridianConfig", dependencies: ["PTPCore"], swiftSettings: strict),
        .target(
            name: "PTPSimulation", dependencies: ["PTPEngine", "PTPCore", "PTPWire", "PTPServo", "CPrefetch"],
            swiftSettings: strict),
        // The processor's prefetch hint for the simulator's event loop (header-only; no platform call).
        .target(name: "CPrefetch"),

        // The zone topology file (YAML, issue 18): decodes a file into PTPSimulation's ZoneDescription with
        // file:line errors; only meridian-sim and its tests link it, so the pure targets stay pure.
        .target(
            name: "MeridianZone",
            dependencies: ["PTPSimulation", "PTPCore", "PTPServo", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),

        // C: what Swift cannot import by itself.
        .target(name: "CLinuxShims"),
        .systemLibrary(name: "CGPS", pkgConfig: "libgps", providers: [.apt(["libgps-dev"])]),

        // Edge: every syscall.
        .target(
            name: "LinuxPlatform",
            dependencies: ["PTPCore", "CLinuxShims", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strict
        ),
        .target(name: "GNSSReference", dependencies: ["PTPCore", "CGPS", "LinuxPlatform"], swiftSettings: strict),

        // Lab: namespaces, veth pairs, helper processes, for tests and benchmarks; never linked into meridiand.
        .target(
            name: "MeridianLab",
            dependencies: ["LinuxPlatform", "CLinuxShims", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strict
        ),

        // Edge: the read-only HTTP endpoint (SwiftNIO's HTTP/1.1 parser and server); it knows nothing of PTP.
        .target(
            name: "MeridianHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        // Composition root.
        .target(
            name: "MeridianDaemon",
            dependencies: [
                "PTPCore", "PTPWire", "PTPServo", "PTPEngine", "PTPManagement", "MeridianConfig",
                "LinuxPlatform", "GNSSReference", "MeridianHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The clock thread's hot path (ClockActor, ClockLoop) reads and writes its own stored properties on
            // every pass; the release build leaves out the run-time exclusivity check of those accesses, which
            // was 14 % of a grandmaster's user-space instructions (ARCHITECTURE.md, "Memory and CPU"). Debug
            // builds, which the unit and seam tests run, keep it; the compile-time check holds in both.
            swiftSettings: strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),

        // Executables: argument parsing and one call into a library (meridiand reads ptp4l's options itself).
        .executableTarget(
            name: "meridiand",
            dependencies: ["MeridianDaemon"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "meridianctl",
            dependencies: [
                "PTPManagement", "PTPWire", "PTPCore", "LinuxPlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "meridian-sim",
            dependencies: [
                "PTPSimulation", "MeridianZone", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // Benchmarks (`make bench`); the allocation counter interposes malloc in this executable only.
        .target(name: "CAllocationCounter", path: "Benchmarks/CAllocationCounter"),
        .executableTarget(
            name: "meridian-bench",
            dependencies: [
                "PTPCore", "PTPWire", "PTPServo", "PTPEngine", "PTPSimulation", "LinuxPlatform", "GNSSReference", "MeridianLab",
                "CAllocationCounter",
            ],
            path: "Benchmarks/meridian-bench",
            swiftSettings: strict
        ),

        // Fuzzing (`make fuzz`, scripts/fuzz.sh): the harness of every parser that takes outside input, and the
        // driver that libFuzzer links (built with -sanitize=fuzzer,address) or that replays inputs in a plain build.
        .target(
            name: "MeridianFuzzing",
            dependencies: [
                "PTPCore", "PTPWire", "PTPEngine", "PTPManagement", "MeridianConfig", "GNSSReference", "MeridianTestSupport",
            ],
            path: "Fuzz/MeridianFuzzing", swiftSettings: strict),
        .executableTarget(
            name: "meridian-fuzz", dependencies: ["MeridianFuzzing"], path: "Fuzz/meridian-fuzz", swiftSettings: strict),

        // Tests.
        .testTarget(name: "PTPCoreTests", dependencies: ["PTPCore"]),
        .testTarget(name: "MeridianFuzzingTests", dependencies: ["MeridianFuzzing"]),
        .testTarget(
            name: "PTPWireTests", dependencies: ["PTPWire", "PTPCore", "MeridianTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CGPSTests", dependencies: ["CGPS"]),
        .testTarget(name: "MeridianConfigTests", dependencies: ["MeridianConfig"]),
        .testTarget(
            name: "MeridianDaemonTests",
            dependencies: [
                "MeridianDaemon", "MeridianConfig", "PTPWire", "PTPCore", "PTPEngine", "PTPSimulation", "LinuxPlatform",
                "PTPManagement", "MeridianTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // linuxptp 3.1's stock configurations, read by path (StockConfigTests).
            exclude: ["Fixtures"]),
        .testTarget(
            name: "InteropTests",
            dependencies: ["PTPWire", "PTPCore", "PTPManagement", "LinuxPlatform", "MeridianLab", "MeridianTestSupport"]),
        .testTarget(
            name: "GNSSReferenceTests",
            dependencies: ["GNSSReference", "PTPEngine", "PTPServo", "PTPCore", "LinuxPlatform", "MeridianTestSupport"]),
        .testTarget(name: "PTPServoTests", dependencies: ["PTPServo", "PTPCore"]),
        .testTarget(name: "PTPEngineTests", dependencies: ["PTPEngine", "PTPServo", "PTPWire", "PTPCore"]),
        .testTarget(
            name: "PTPSimulationTests", dependencies: ["PTPSimulation", "PTPEngine", "PTPServo", "PTPWire", "PTPCore"]),
        .testTarget(name: "MeridianZoneTests", dependencies: ["MeridianZone", "PTPSimulation", "PTPCore"]),
        .testTarget(name: "LinuxPlatformTests", dependencies: ["LinuxPlatform", "CLinuxShims", "PTPCore", "MeridianLab"]),
        .testTarget(name: "MeridianLabTests", dependencies: ["MeridianLab"]),
        .testTarget(name: "MeridianHTTPTests", dependencies: ["MeridianHTTP"]),
        .testTarget(name: "PTPManagementTests", dependencies: ["PTPManagement", "PTPWire", "PTPCore", "MeridianTestSupport"]),
        .testTarget(
            name: "ManagementIntegrationTests",
            dependencies: [
                "MeridianDaemon", "PTPManagement", "PTPEngine", "PTPWire", "PTPCore", "LinuxPlatform", "MeridianLab",
                "MeridianTestSupport",
            ]),
        // Test helpers shared by several test targets (pcapng reader, the ptp4l-like management snapshot, the real-gpsd
        // harness with its fixtures).
        .target(
            name: "MeridianTestSupport",
            dependencies: ["PTPManagement", "PTPEngine", "PTPWire", "PTPCore", "LinuxPlatform", "MeridianLab"],
            path: "Tests/MeridianTestSupport", resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
