#!/usr/bin/env python3
"""Checks the import rules of ../shared/DESIGN.md ("Targets, and who may import whom") from the
import lines of every Swift file under Sources/. Exits 1 and names file:line for each violation."""
import re
import sys
from pathlib import Path

STDLIB = {"Swift", "_Concurrency", "Synchronization"}
PURE_FORBIDDEN_NOTE = "pure targets import only the standard library and the pure targets below them"

# target -> modules it may import (besides the standard library).
ALLOWED = {
    "PTPCore": set(),
    "PTPWire": {"PTPCore"},
    "PTPServo": {"PTPCore"},
    "PTPEngine": {"PTPCore", "PTPWire", "PTPServo"},
    "PTPManagement": {"PTPCore", "PTPWire"},
    "MeridianConfig": {"PTPCore"},
    "PTPSimulation": {"PTPEngine", "PTPCore", "PTPWire", "PTPServo"},
    "LinuxPlatform": {"PTPCore", "CLinuxShims", "SystemPackage", "Glibc", "Dispatch", "Synchronization"},
    "GNSSReference": {"PTPCore", "CGPS", "LinuxPlatform", "SystemPackage", "Glibc", "Dispatch", "Synchronization"},
    "MeridianLab": {"PTPCore", "CLinuxShims", "LinuxPlatform", "SystemPackage", "Glibc", "Synchronization"},
    "MeridianDaemon": {
        "PTPCore", "PTPWire", "PTPServo", "PTPEngine", "PTPManagement", "MeridianConfig", "LinuxPlatform",
        "GNSSReference", "Logging", "ServiceLifecycle", "SystemPackage", "Glibc", "Dispatch", "Synchronization",
        "DequeModule", "Collections", "UnixSignals",
    },
    "meridiand": {"MeridianDaemon", "ArgumentParser", "Logging", "Glibc", "PTPCore", "MeridianConfig"},
    "meridianctl": {"PTPManagement", "PTPWire", "PTPCore", "LinuxPlatform", "ArgumentParser", "Glibc"},
    "meridian-sim": {"PTPSimulation", "PTPEngine", "PTPCore", "PTPServo", "ArgumentParser", "Glibc"},
}
C_TARGETS = {"CLinuxShims", "CGPS"}
IMPORT = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:public |internal |package |private |fileprivate )?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "Sources")
    problems = []
    seen = set()
    for target_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        target = target_dir.name
        if target in C_TARGETS:
            continue
        if target not in ALLOWED:
            problems.append(f"{target_dir}: target '{target}' is not in the import table of scripts/check-imports.py")
            continue
        seen.add(target)
        allowed = ALLOWED[target] | STDLIB
        for path in sorted(target_dir.rglob("*.swift")):
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
                        f"{path}:{number}: {target} may not import {match.group(1)} "
                        f"(allowed: {', '.join(sorted(ALLOWED[target])) or 'standard library only'})")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"lint: {len(problems)} import rule violation(s); see ../shared/DESIGN.md", file=sys.stderr)
        return 1
    print(f"lint: import rules hold in {len(seen)} targets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
