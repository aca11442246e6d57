// meridian-sim: runs a simulated PTP network (PTPSimulation) and prints per-clock figures.
import ArgumentParser
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
    @Option(help: "Simulated seconds; figures cover the second half.") var duration: Int64 = 60
    @Option(help: "Seed for every random choice.") var seed: UInt64 = 1
    @Option(help: "logSyncInterval (-4 is 16 Sync/s).") var logSyncInterval: Int8 = -4
    @Option(help: "pi or linreg.") var servo: ServoKind = .pi
    @Flag(help: "Use the peer delay mechanism instead of end-to-end.") var p2p = false
    @Option(help: "Time stamp noise, ns (standard deviation).") var stampNoise = 20.0
    @Option(help: "Oscillator frequency errors uniform in ± this many ppm.") var frequencySpread = 50.0
    @Option(help: "Link jitter, ns (standard deviation).") var jitter = 20.0
    @Flag(help: "Print every port state change, ptp4l style.") var states = false

    mutating func validate() throws {
        guard duration >= 2 else { throw ValidationError("--duration must be at least 2 seconds") }
        guard depth >= 1, fanout >= 1, clocks >= 2 else { throw ValidationError("--depth, --fanout must be ≥ 1, --clocks ≥ 2") }
    }

    func run() {
        var options = ScenarioOptions()
        options.topology = topology
        options.depth = depth
        options.fanout = fanout
        options.clocks = clocks
        options.duration = duration
        options.seed = seed
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

MeridianSim.main()
