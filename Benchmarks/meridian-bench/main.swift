// meridian-bench: `make bench`. Prints one table per part of the system; pass section names to run a
// subset (`meridian-bench codec`). Performance is measured here, never in unit tests.
let arguments = Set(CommandLine.arguments.dropFirst())
func wants(_ section: String) -> Bool { arguments.isEmpty || arguments.contains(section) }

if wants("codec") {
    runCodecBenchmarks(iterations: 2_000_000)
}
if wants("engine") {
    runEngineBenchmarks()
}
if wants("platform") {
    runPlatformBenchmarks()
}
if wants("gnss") {
    runGNSSBenchmarks()
}
