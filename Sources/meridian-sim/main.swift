// meridian-sim: runs a simulated PTP network (PTPSimulation) and prints per-clock figures.
import ArgumentParser
import Glibc
import MeridianZone
import PTPCore
import PTPServo
import PTPSimulation

extension Topology: ExpressibleByArgument {}
extension ServoKind: ExpressibleByArgument {}

struct MeridianSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meridian-sim",
        abstract: "Simulate a PTP network of Meridian engines and report each clock's offset from the grandmaster.")

    @Option(help: "pair, chain, tree or ring.") var topology: Topology = .chain
    @Option(help: "Clocks after the grandmaster in a chain or ring.") var depth = 4
    @Option(help: "Children per boundary clock in a tree.") var fanout = 3
    @Option(help: "Clocks in a tree, grandmaster included.") var clocks = 40
    @Option(help: "A zone topology file (YAML, docs/zone-format.md); the shape flags are then ignored.") var zone: String?
    @Option(help: "Simulated seconds (default 60; with --zone, the file's); figures cover the second half.") var duration: Int64?
    @Option(help: "Seed for every random choice (default 1; with --zone, the file's).") var seed: UInt64?
    @Flag(help: "With --zone: print the report as JSON.") var json = false
    @Option(help: "With --zone: also write an SVG picture (max|TE| by tier over time, faults marked) to this file.")
    var svg: String?
    @Option(help: "logSyncInterval (-4 is 16 Sync/s).") var logSyncInterval: Int8 = -4
    @Option(help: "pi or linreg.") var servo: ServoKind = .pi
    @Flag(help: "Use the peer delay mechanism instead of end-to-end.") var p2p = false
    @Option(help: "Time stamp noise, ns (standard deviation).") var stampNoise = 20.0
    @Option(help: "Oscillator frequency errors uniform in ± this many ppm.") var frequencySpread = 50.0
    @Option(help: "Link jitter, ns (standard deviation).") var jitter = 20.0
    @Flag(help: "Print every port state change, ptp4l style.") var states = false

    mutating func validate() throws {
        guard (duration ?? 60) >= 2 else { throw ValidationError("--duration must be at least 2 seconds") }
        guard depth >= 1, fanout >= 1, clocks >= 2 else { throw ValidationError("--depth, --fanout must be ≥ 1, --clocks ≥ 2") }
    }

    func run() {
        if let zone {
            runZone(zone)
            return
        }
        var options = ScenarioOptions()
        options.topology = topology
        options.depth = depth
        options.fanout = fanout
        options.clocks = clocks
        options.duration = duration ?? 60
        options.seed = seed ?? 1
        options.logSyncInterval = logSyncInterval
        options.servo = servo
        options.delayMechanism = p2p ? .p2p : .e2e
        options.stampNoise = stampNoise
        options.frequencySpread = frequencySpread
        options.jitter = jitter
        options.logStateChanges = states
        print(ScenarioRunner.run(options).report)
    }
}

extension MeridianSim {
    /// Runs a zone file: the report (text or JSON) on standard output, byte for byte the same for the same
    /// file and seed; the speed and memory figures on standard error. A bad file: `file:line: message`, exit 2.
    func runZone(_ path: String) {
        guard let text = readFile(path) else {
            fail("\(path):1: cannot read the file")
        }
        var description: ZoneDescription
        do {
            description = try ZoneFile.parse(text, file: path)
        } catch {
            fail(error.description)
        }
        if let duration { description.duration = Double(duration) }
        if let seed { description.seed = seed }
        let clock = ContinuousClock()
        let started = clock.now
        let report: ZoneReport
        do {
            report = try ZoneRunner.run(description)
        } catch {
            fail("\(path):\(error.line): \(error.message)")
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print(json ? report.json : report.text)
        if let svg {
            guard writeFile(svg, report.svg) else { fail("\(svg): cannot write the picture") }
        }
        let peak = peakResidentKilobytes()
        let clocks = max(1, report.clocks.count)
        var line = "meridian-sim: \(report.clocks.count) clocks, \(Int(description.duration)) s simulated in "
        line +=
            "\(Double(Int(seconds * 100)) / 100) s wall (\(Double(Int(description.duration / max(seconds, 1e-9) * 100)) / 100)× real time); "
        line += "peak RSS \(peak / 1024) MB, \(peak * 1024 / clocks / 1024) KB per clock\n"
        writeStandardError(line)
    }

    func fail(_ message: String) -> Never {
        writeStandardError(message + "\n")
        Glibc.exit(2)
    }
}

func writeStandardError(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func readFile(_ path: String) -> String? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
        if n < buffer.count { break }
        if bytes.count > 64 << 20 { return nil }
    }
    return String(validating: bytes, as: UTF8.self)
}

func writeFile(_ path: String, _ text: String) -> Bool {
    guard let f = fopen(path, "wb") else { return false }
    defer { fclose(f) }
    let bytes = Array(text.utf8)
    return fwrite(bytes, 1, bytes.count, f) == bytes.count
}

/// VmHWM from /proc/self/status, KB (0 if unreadable).
func peakResidentKilobytes() -> Int {
    guard let status = readFile("/proc/self/status") else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return 0
}

/// Starts the program over with glibc's heap on transparent huge pages (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`),
/// unless it already is, the kernel has them off, or `MERIDIAN_SIM_HUGEPAGES=0` says not to.
///
/// Why: a large zone's clocks (20 KB each, 200 MB for 10,000) are touched one after another every Sync interval,
/// so nearly every clock's first read misses the cache and, on 4 KB pages, the TLB too. With 2 MB pages the
/// 10,000-clock zone's 300 s ran 5–12 % faster here (137.6 and 139.2 s against 154.7 and 159.7 s pinned to one
/// CPU; 134.8 against 142.0 s unpinned), `AnonHugePages` 178 of 206 MB (docs/zone-format.md, "Speed").
/// glibc reads its tunables only when the program starts, hence the `execv` of the same binary with the same
/// arguments (same process, same descriptors). If the `execv` fails, the run goes on as it is.
func reexecWithHugePageHeap() {
    if let setting = getenv("MERIDIAN_SIM_HUGEPAGES"), String(cString: setting) == "0" { return }
    let tunables = getenv("GLIBC_TUNABLES").map { String(cString: $0) } ?? ""
    guard !tunables.contains("glibc.malloc.hugetlb") else { return }
    guard let mode = readFile("/sys/kernel/mm/transparent_hugepage/enabled"), !mode.contains("[never]") else { return }
    let value = tunables.isEmpty ? "glibc.malloc.hugetlb=1" : tunables + ":glibc.malloc.hugetlb=1"
    guard setenv("GLIBC_TUNABLES", value, 1) == 0 else { return }
    _ = execv("/proc/self/exe", CommandLine.unsafeArgv)
    // Still here: the exec failed. Run without, and without the setting (a child would inherit it).
    if tunables.isEmpty { unsetenv("GLIBC_TUNABLES") } else { setenv("GLIBC_TUNABLES", tunables, 1) }
}

reexecWithHugePageHeap()
MeridianSim.main()
