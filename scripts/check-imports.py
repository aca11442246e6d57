#!/usr/bin/env python3
"""Checks the import rules of ../shared/DESIGN.md ("Targets, and who may import whom").

Every Swift target of Package.swift (sources, tests, test support, benchmarks) is checked twice:
  - its import lines: each module a file imports must be one its layer allows;
  - its declared dependencies in Package.swift: a target may not depend on what it may not import.
And the products are checked for what they link: meridiand, meridianctl and meridian-sim never link
the lab target (MeridianLab) or test support, not even through another target.

Package.swift is read with `swift package dump-package`. Exits 1 and names file:line (or the target)
for each violation."""
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

STDLIB = {"Swift", "_Concurrency", "Synchronization"}

PURE = {"PTPCore", "PTPWire", "PTPServo", "PTPEngine", "PTPManagement", "MeridianConfig", "PTPSimulation"}
PLATFORM = {"SystemPackage", "Glibc", "Dispatch", "Synchronization"}
EDGE = {"LinuxPlatform", "GNSSReference", "CLinuxShims", "CGPS"} | PLATFORM
LAB = {"MeridianLab"}
# SwiftNIO's HTTP/1.1 server: only the HTTP edge (MeridianHTTP) touches it.
NIO = {"NIOCore", "NIOPosix", "NIOHTTP1"}
# The composition root may also render what the HTTP edge serves: Prometheus text (swift-prometheus's registry)
# and JSON (FoundationEssentials' JSONEncoder), neither of which the pure targets may import.
ROOT = {
    "MeridianDaemon", "Logging", "ServiceLifecycle", "UnixSignals", "DequeModule", "Collections", "MeridianHTTP",
    "Prometheus", "FoundationEssentials",
}
# What every test may use besides its layer: the test library and Foundation (fixtures, processes, dates).
TESTING = {"Testing", "Foundation", "Glibc", "Synchronization"}
# Helpers shared by test targets.
TEST_SUPPORT = {"MeridianTestSupport"}

# target -> modules it may import (besides the standard library), and so may depend on in Package.swift.
ALLOWED = {
    # Pure: standard library and the pure targets below them.
    "PTPCore": set(),
    "PTPWire": {"PTPCore"},
    "PTPServo": {"PTPCore"},
    "PTPEngine": {"PTPCore", "PTPWire", "PTPServo"},
    "PTPManagement": {"PTPCore", "PTPWire"},
    "MeridianConfig": {"PTPCore"},
    # CPrefetch: the processor's prefetch hint (a compiler builtin in a header; no system call, no state).
    "PTPSimulation": {"PTPEngine", "PTPCore", "PTPWire", "PTPServo", "CPrefetch"},
    # Edge: every syscall; never the protocol logic above PTPCore.
    "LinuxPlatform": {"PTPCore", "CLinuxShims"} | PLATFORM,
    "GNSSReference": {"PTPCore", "CGPS", "LinuxPlatform"} | PLATFORM,
    # Edge: the read-only HTTP endpoint, SwiftNIO only; it knows nothing of PTP (the daemon gives it a responder).
    "MeridianHTTP": NIO | PLATFORM,
    # Lab: namespaces, veth, helper processes; for tests and benchmarks only (see NEVER_LINKED).
    "MeridianLab": {"PTPCore", "CLinuxShims", "LinuxPlatform"} | PLATFORM,
    # Root.
    "MeridianDaemon": (PURE - {"PTPSimulation"}) | (EDGE - {"CLinuxShims", "CGPS"}) | (ROOT - {"MeridianDaemon"}),
    # Executables: argument parsing and one call into a library.
    "meridiand": {"MeridianDaemon", "Logging", "Glibc", "PTPCore", "MeridianConfig"},
    "meridianctl": {"PTPManagement", "PTPWire", "PTPCore", "LinuxPlatform", "ArgumentParser", "Glibc", "FoundationEssentials"},
    # The zone topology file (issue 18): YAML through Yams into PTPSimulation's model; only meridian-sim links it.
    "MeridianZone": {"PTPSimulation", "PTPCore", "PTPServo", "PTPEngine", "Yams"},
    "meridian-sim": {"PTPSimulation", "PTPEngine", "PTPCore", "PTPServo", "MeridianZone", "ArgumentParser", "Glibc"},
    # Benchmarks: anything but test support, and their malloc counter.
    "meridian-bench": PURE | EDGE | LAB | ROOT | {"CAllocationCounter"},
    # Test support: pure helpers, the pcapng reader, the real-gpsd harness (which needs the lab).
    "MeridianTestSupport": PURE | {"LinuxPlatform"} | LAB | {"Foundation", "Glibc"} | PLATFORM,
    # Tests of the pure targets: pure targets, test support, no edge, lab or daemon module.
    "MeridianFuzzing": PURE | {"GNSSReference"} | TEST_SUPPORT | {"Glibc"},
    "meridian-fuzz": {"MeridianFuzzing", "Glibc"},
    "MeridianFuzzingTests": {"MeridianFuzzing"} | TESTING,
    "PTPCoreTests": {"PTPCore"} | TESTING,
    "PTPWireTests": {"PTPCore", "PTPWire"} | TEST_SUPPORT | TESTING,
    "PTPServoTests": {"PTPCore", "PTPServo"} | TESTING,
    "PTPEngineTests": {"PTPCore", "PTPWire", "PTPServo", "PTPEngine"} | TEST_SUPPORT | TESTING,
    "PTPManagementTests": {"PTPCore", "PTPWire", "PTPManagement"} | TEST_SUPPORT | TESTING,
    "MeridianConfigTests": {"PTPCore", "MeridianConfig"} | TESTING,
    "PTPSimulationTests": PURE | TEST_SUPPORT | TESTING,
    "MeridianZoneTests": PURE | {"MeridianZone"} | TESTING,
    # Tests of the edges and the lab: their target and what it may import, the lab, test support.
    "CGPSTests": {"CGPS"} | TESTING,
    "LinuxPlatformTests": {"PTPCore", "LinuxPlatform", "CLinuxShims"} | PLATFORM | LAB | TEST_SUPPORT | TESTING,
    "MeridianLabTests": {"PTPCore", "LinuxPlatform", "MeridianLab"} | PLATFORM | TEST_SUPPORT | TESTING,
    "MeridianHTTPTests": {"MeridianHTTP"} | NIO | PLATFORM | TESTING,
    "GNSSReferenceTests": PURE | EDGE | LAB | TEST_SUPPORT | TESTING,
    # Tests of the daemon and against real peers: everything.
    "MeridianDaemonTests": PURE | EDGE | LAB | ROOT | TEST_SUPPORT | TESTING,
    "ManagementIntegrationTests": PURE | EDGE | LAB | ROOT | TEST_SUPPORT | TESTING,
    "InteropTests": PURE | EDGE | LAB | ROOT | TEST_SUPPORT | TESTING,
}
# Products that ship: they never link these targets, directly or through another target.
SHIPPED = ["meridiand", "meridianctl", "meridian-sim"]
NEVER_LINKED = {"MeridianLab", "MeridianTestSupport"}

IMPORT = re.compile(
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:public |internal |package |private |fileprivate )?import\s+"
    r"(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def read_package(root: Path) -> dict:
    """Package.swift as SwiftPM evaluates it. A scratch path of its own keeps it off the lock of a build
    running in .build."""
    scratch = tempfile.mkdtemp(prefix="meridian-lint-")
    try:
        result = subprocess.run(
            ["swift", "package", "--package-path", str(root), "--scratch-path", scratch, "dump-package"],
            capture_output=True, text=True)
    except FileNotFoundError:
        sys.exit("lint: swift is not in PATH; it is needed to read Package.swift")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if result.returncode != 0:
        sys.exit(f"lint: swift package dump-package failed:\n{result.stderr}")
    return json.loads(result.stdout)


def dependency_name(dependency: dict) -> str:
    """The module a dependency brings: a target's name, or a product's (the same for every product used here)."""
    for kind in ("byName", "target", "product"):
        if kind in dependency:
            return dependency[kind][0]
    raise ValueError(f"unknown dependency form {dependency}")


def target_directory(root: Path, target: dict) -> Path:
    if target.get("path"):
        return root / target["path"]
    return root / ("Tests" if target["type"] == "test" else "Sources") / target["name"]


def check_imports(name: str, directory: Path, problems: list) -> None:
    allowed = ALLOWED[name] | STDLIB
    for path in sorted(directory.rglob("*.swift")):
        in_block_comment = False
        for number, line in enumerate(path.read_text().splitlines(), 1):
            stripped = line.strip()
            if in_block_comment:
                if "*/" in stripped:
                    in_block_comment = False
                continue
            if stripped.startswith("/*"):
                in_block_comment = "*/" not in stripped
                continue
            match = IMPORT.match(line)
            if match and match.group(1) not in allowed:
                problems.append(
                    f"{path}:{number}: {name} may not import {match.group(1)} "
                    f"(allowed: {', '.join(sorted(ALLOWED[name])) or 'standard library only'})")


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    package = read_package(root)
    targets = {t["name"]: t for t in package["targets"]}
    problems = []
    checked = 0
    for name, target in targets.items():
        if target["type"] == "system" or not any(target_directory(root, target).rglob("*.swift")):
            continue  # C targets: what Swift cannot import by itself
        if name not in ALLOWED:
            problems.append(f"Package.swift: target '{name}' is not in the import table of scripts/check-imports.py")
            continue
        checked += 1
        check_imports(name, target_directory(root, target), problems)
        for dependency in map(dependency_name, target["dependencies"]):
            if dependency not in ALLOWED[name] | STDLIB:
                problems.append(f"Package.swift: {name} may not depend on {dependency}")

    def linked(name: str, seen: set) -> set:
        for dependency in map(dependency_name, targets[name]["dependencies"]):
            if dependency in targets and dependency not in seen:
                seen.add(dependency)
                linked(dependency, seen)
        return seen

    for product in SHIPPED:
        if product not in targets:
            problems.append(f"Package.swift: no target '{product}'")
            continue
        for forbidden in sorted(linked(product, set()) & NEVER_LINKED):
            problems.append(f"Package.swift: {product} links {forbidden}, which only tests and benchmarks may")

    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"lint: {len(problems)} import rule violation(s); see ../shared/DESIGN.md", file=sys.stderr)
        return 1
    print(f"lint: import and dependency rules hold in {checked} targets; {', '.join(SHIPPED)} link no "
          f"{' or '.join(sorted(NEVER_LINKED))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
