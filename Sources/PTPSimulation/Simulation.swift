import CPrefetch
import PTPCore
import PTPEngine
import PTPServo
import PTPWire

/// A deterministic discrete-event simulation of PTP clocks joined by links (DESIGN.md, PTPSimulation).
///
/// Each clock is the daemon's own composition, an ``InstanceEngine`` (its port engines, the BMCA, and the
/// ``ClockEngine`` with the servo, outlier filter, holdover on silence and, for a grandmaster with a
/// ``SimulatedReference``, the reference discipline), with an ``Oscillator`` in place of the clock. The
/// simulation plays the daemon's part: it carries out the engine's actions (sends, port and clock timers,
/// clock adjustments) and advances time from event to event. Every message is encoded by `PTPWire` when it
/// is sent and decoded by the receiving port engine, as on the wire. Nothing sleeps and nothing reads a real
/// clock: the same seed gives the same run.
///
/// Simplifications: a timer's duration (local time) runs as the same amount of true time (an error of the
/// clock's frequency offset, ≤ 10⁻⁴); a one-step Sync gets its egress stamp without egressLatency; there
/// are no transparent clocks; a segment delivers to every other member (a hub), with per-copy jitter.
public final class Simulation {
    var core: SimulationCore

    /// A simulation of `network` from true time `start`, every random choice drawn from `seed`.
    public init(network: NetworkDescription, seed: UInt64, start: PTPInstant = PTPInstant(seconds: 1_700_000_000)) {
        core = SimulationCore(network: network, seed: seed, start: start)
    }

    public var network: NetworkDescription { core.network }
    /// True time now.
    public var now: PTPInstant { core.now }
    /// True time at the start.
    public var start: PTPInstant { core.start }
    /// Every port state change, in order.
    public var stateChanges: [(time: PTPInstant, clock: Int, change: PortStateChange)] { core.stateChanges }
    /// Every clock step the servos asked for.
    public var steps: [(time: PTPInstant, clock: Int, amount: PTPDuration)] { core.steps }
    /// Every holdover a clock entered (master silent, grandmaster role), in order.
    public var holdovers: [(time: PTPInstant, clock: Int, holdover: ClockHoldover)] { core.holdovers }
    /// Every change of a reference discipline's state, in order.
    public var referenceChanges: [(time: PTPInstant, clock: Int, change: GrandmasterStateChange)] { core.referenceChanges }
    /// Events processed and messages delivered so far.
    public var eventsProcessed: Int { core.eventsProcessed }
    public var messagesDelivered: Int { core.messagesDelivered }
    /// Record state changes (turn off for large benchmarks).
    public var recordStateChanges: Bool {
        get { core.recordStateChanges }
        set { core.recordStateChanges = newValue }
    }

    // MARK: Running

    /// Runs until true time `end`.
    public func run(until end: PTPInstant) {
        core.run(until: end)
    }

    /// Runs for `duration` of true time.
    public func run(for duration: PTPDuration) {
        core.run(until: core.now + duration)
    }

    /// Runs for `duration`, calling `observe` every `interval` of true time.
    public func run(for duration: PTPDuration, sampleEvery interval: PTPDuration, _ observe: (Simulation) -> Void) {
        let end = now + duration
        var next = now + interval
        while next <= end {
            run(until: next)
            observe(self)
            next = next + interval
        }
        run(until: end)
    }

    // MARK: Observation

    public var clockCount: Int { core.nodes.count }

    /// The clock's local time minus true time, now.
    public func timeError(of clock: Int) -> PTPDuration {
        core.oscillators[clock].localTime(at: now) - now
    }

    /// The clock's time minus `reference`'s time, now.
    public func offset(of clock: Int, from reference: Int) -> PTPDuration {
        core.oscillators[clock].localTime(at: now) - core.oscillators[reference].localTime(at: now)
    }

    public func instance(_ clock: Int) -> InstanceEngine { core.nodes[clock].instance }
    /// The grandmaster `clock` follows (its parentDS), read in place: no copy of the engine.
    public func grandmasterIdentity(of clock: Int) -> ClockIdentity { core.nodes[clock].instance.parentDS.grandmasterIdentity }
    public func portStates(of clock: Int) -> [PortState] { core.nodes[clock].instance.ports.map(\.state) }
    public func servoState(of clock: Int) -> ServoState { core.nodes[clock].instance.clock.discipline.servo.state }
    public func oscillator(of clock: Int) -> Oscillator { core.oscillators[clock] }
    public func statistics(of clock: Int) -> ClockStatistics { core.statistics[clock] }

    /// A muted clock neither sends nor receives (it "goes silent"); it keeps running inside.
    public func setMuted(_ clock: Int, _ muted: Bool) {
        guard core.muted.indices.contains(clock) else { return }
        core.muted[clock] = muted
    }

    /// The clock's daemon stops (`running` false) or starts afresh (true), as a `systemctl restart` does: while
    /// stopped nothing is sent, received or timed; on start the engine is new (ports INITIALIZING, foreign
    /// masters forgotten, the servo unlocked), while the clock kept running at its last frequency adjustment.
    public func setDaemonRunning(_ clock: Int, _ running: Bool) {
        core.setDaemonRunning(clock, running)
    }

    /// Whether the clock's daemon is stopped.
    public func isDaemonStopped(_ clock: Int) -> Bool { core.stopped.indices.contains(clock) && core.stopped[clock] }

    /// A segment that is down carries nothing (a cable pulled, a switch port off); the ports notice
    /// through their receipt timeouts, as behind a switch.
    public func setSegmentDown(_ segment: Int, _ down: Bool) {
        guard core.segmentDown.indices.contains(segment) else { return }
        core.segmentDown[segment] = down
    }

    /// An asymmetry added to the segment's model from now on (a path asymmetry appearing: a reroute,
    /// a new fibre pair): on top of ``LinkModel/asymmetry``.
    public func setExtraAsymmetry(_ segment: Int, _ asymmetry: PTPDuration) {
        guard core.extraAsymmetry.indices.contains(segment) else { return }
        core.extraAsymmetry[segment] = asymmetry
    }
}

/// The simulation's state and event loop, as a value type so the hot loop runs without the dynamic
/// exclusivity checks a class's stored properties would need.
///
/// What the loop reads for nearly every event (whether a clock is muted, a timer's generation, which segment a
/// port is on, a segment's ends and model, the clock's oscillator) sits in flat arrays indexed by clock, port or
/// segment rather than in each ``Node``: a node holds a whole engine (about 2 KB, and its ports more), so in a
/// zone of 10,000 clocks each look into one is a cache miss, and a stale timer or a muted clock is then answered
/// without one. The oscillators (about 100 bytes each, 1 MB for 10,000 clocks) stay in the cache that way,
/// where inside the nodes each event's advance of its clock's oscillator was a miss of its own.
struct SimulationCore {
    struct Node {
        var instance: InstanceEngine
        var reference: SimulatedReference?
    }

    /// PortTimer.caseCount and ClockTimer.allCases.count (the synthesized `allCases` builds an array).
    static let portTimerCount = PortTimer.caseCount
    static let clockTimerCount = ClockTimer.allCases.count

    enum Event: Sendable {
        case start(clock: Int32)
        /// A frame of ``SimulationCore/frames`` arrives.
        case deliver(clock: Int32, port: Int32, frame: Int32)
        case timer(clock: Int32, port: Int32, timer: PortTimer, generation: UInt32)
        case clockTimer(clock: Int32, timer: ClockTimer, generation: UInt32)
        /// The PPS edge of the reference of `clock` at a whole true second.
        case referenceEdge(clock: Int32)
    }

    let network: NetworkDescription
    let start: PTPInstant
    var now: PTPInstant
    var nodes: [Node] = []
    /// Per clock: its oscillator, and what the simulation counted for it.
    var oscillators: [Oscillator] = []
    var statistics: [ClockStatistics] = []
    var queue: EventQueue<Event>
    var frames = FrameStore()
    var random: SplitMix64
    var work: [InstanceAction] = []
    /// The engines' working buffer for their ports' actions, one for all (``InstanceEngine/handle(_:at:into:buffer:)``).
    var portWork: [PortAction] = []
    /// The transmit time stamps of the event being handled, each for its port's engine as of `after` past the
    /// event (``carryTransmits()``).
    var transmits: [(clock: Int32, port: Int32, token: TransmitToken, stamp: PTPInstant, after: PTPDuration)] = []
    /// How far past ``now`` the engine's event being handled happens (a transmit time stamp's arrival): what it
    /// sends and arms is timed from then.
    var deferral = PTPDuration.zero
    var stateChanges: [(time: PTPInstant, clock: Int, change: PortStateChange)] = []
    var steps: [(time: PTPInstant, clock: Int, amount: PTPDuration)] = []
    var holdovers: [(time: PTPInstant, clock: Int, holdover: ClockHoldover)] = []
    var referenceChanges: [(time: PTPInstant, clock: Int, change: GrandmasterStateChange)] = []
    var segmentDown: [Bool]
    var extraAsymmetry: [PTPDuration]
    /// Per clock: muted, the index of its first port in ``portSegment``, its transmit time stamp delay.
    var muted: [Bool]
    /// Per clock: its daemon is stopped (``setDaemonRunning(_:_:)``).
    var stopped: [Bool]
    let seed: UInt64
    var portBase: [Int]
    var transmitDelay: [PTPDuration]
    /// Per port (at portBase[clock] + port): its segment (-1: none).
    var portSegment: [Int32]
    /// Per port timer (at (portBase[clock] + port) · portTimerCount + timer) and per clock timer
    /// (clock · clockTimerCount + timer): the generation of its latest arming.
    var timerGenerations: [UInt32]
    var clockTimerGenerations: [UInt32]
    /// Per segment: its endpoints at segmentEndpoints[segmentStart[s]..<segmentStart[s + 1]], and its model.
    var segmentStart: [Int]
    var segmentEndpoints: [(clock: Int32, port: Int32)]
    var segmentModel: [LinkModel]
    /// Per endpoint (an index into ``segmentEndpoints``), the wander of the delay into it and when it was last
    /// drawn (nil: never); empty when no segment has wander.
    var wanderValue: [Double] = []
    var wanderAt: [PTPInstant?] = []
    /// Per clock: the address of its first port engine, as the last event left it (``warm(for:)``).
    var portEngines: [UInt]
    /// How many bytes at the start of a port engine an event reads (``PortEngine/hotByteCount``).
    let portHotBytes = PortEngine.hotByteCount
    /// Where in a ``Node`` its engine's first stored property (its ports array) is kept.
    let engineOffset =
        (MemoryLayout<Node>.offset(of: \Node.instance) ?? 0)
        + (MemoryLayout<InstanceEngine>.offset(of: \InstanceEngine.ports) ?? 0)
    var eventsProcessed = 0
    var messagesDelivered = 0
    var recordStateChanges = true

    init(network: NetworkDescription, seed: UInt64, start: PTPInstant) {
        self.network = network
        self.start = start
        self.now = start
        queue = EventQueue(origin: start)
        random = SplitMix64(seed: seed)
        segmentDown = Array(repeating: false, count: network.segments.count)
        extraAsymmetry = Array(repeating: .zero, count: network.segments.count)
        muted = Array(repeating: false, count: network.clocks.count)
        stopped = muted
        portEngines = Array(repeating: 0, count: network.clocks.count)
        portBase = []
        portBase.reserveCapacity(network.clocks.count + 1)
        var portTotal = 0
        for c in network.clocks.indices {
            portBase.append(portTotal)
            portTotal += network.portCounts[c]
        }
        portBase.append(portTotal)
        transmitDelay = network.clocks.map(\.transmitTimestampDelay)
        portSegment = Array(repeating: -1, count: portTotal)
        timerGenerations = Array(repeating: 0, count: portTotal * SimulationCore.portTimerCount)
        clockTimerGenerations = Array(repeating: 0, count: network.clocks.count * SimulationCore.clockTimerCount)
        segmentStart = [0]
        segmentEndpoints = []
        segmentModel = []
        for (s, segment) in network.segments.enumerated() {
            for e in segment.endpoints {
                portSegment[portBase[e.clock] + e.port] = Int32(s)
                segmentEndpoints.append((Int32(e.clock), Int32(e.port)))
            }
            segmentStart.append(segmentEndpoints.count)
            segmentModel.append(segment.model)
        }
        if segmentModel.contains(where: { $0.wander > 0 }) {
            wanderValue = Array(repeating: 0, count: segmentEndpoints.count)
            wanderAt = Array(repeating: nil, count: segmentEndpoints.count)
        }
        self.seed = seed
        for (c, clock) in network.clocks.enumerated() {
            var oscillator = Oscillator(
                frequencyError: clock.frequencyError, wander: clock.wander, stampNoise: clock.stampNoise,
                initialOffset: clock.initialOffset, start: start)
            oscillator.spikeProbability = clock.stampSpikeProbability
            oscillator.spikeMinimum = clock.stampSpike.lowerBound
            oscillator.spikeMaximum = clock.stampSpike.upperBound
            let instance = SimulationCore.instance(
                of: c, in: network, seed: seed, currentFrequency: .zero, clockMaximum: oscillator.maxAdjustment)
            nodes.append(Node(instance: instance, reference: clock.reference))
            oscillators.append(oscillator)
            statistics.append(ClockStatistics())
            queue.schedule(.start(clock: Int32(c)), at: start)
            if clock.reference != nil {
                queue.schedule(.referenceEdge(clock: Int32(c)), at: PTPInstant(seconds: start.seconds + 1))
            }
        }
        work.reserveCapacity(64)
        portWork.reserveCapacity(16)
    }

    /// A fresh engine for clock `c`, as the daemon composes it when it starts: ports INITIALIZING, no foreign
    /// masters, the servo unlocked and starting from the clock's present frequency adjustment
    /// (`currentFrequency`, read from the clock as MeridianService does, like linuxptp's clock_create).
    static func instance(
        of c: Int, in network: NetworkDescription, seed: UInt64, currentFrequency: PartsPerBillion,
        clockMaximum: PartsPerBillion
    ) -> InstanceEngine {
        let clock = network.clocks[c]
        let ports = network.portConfigurations(of: c)
        let ds = DefaultDS(
            twoStepFlag: true, clockIdentity: clock.identity, numberPorts: UInt16(ports.count),
            clockQuality: clock.clockQuality, priority1: clock.priority1, priority2: clock.priority2,
            slaveOnly: clock.slaveOnly)
        let servo = SelectedServo(
            clock.servo, configuration: clock.servoConfiguration, currentFrequency: currentFrequency,
            clockMaximum: clockMaximum, syncInterval: clock.port.logSyncInterval.seconds)
        var reference: ReferenceDiscipline?
        if let simulated = clock.reference {
            var configuration = simulated.configuration
            configuration.timescale = .utc
            reference = ReferenceDiscipline(configuration: configuration)
        }
        var configuration = InstanceConfiguration(
            defaultDS: ds, ports: ports,
            grandmasterQuality: clock.timeProperties.map {
                GrandmasterQuality(clockQuality: clock.clockQuality, timeProperties: $0)
            },
            seed: seed &+ UInt64(c) &* 0x9E37_79B9,
            clock: ClockEngine(servo: servo, outlierFilter: clock.outlierFilter, reference: reference))
        configuration.bmca = clock.bmca
        return InstanceEngine(configuration: configuration)
    }

    /// The daemon of `clock` stops (`running` false: its engine is gone, its timers void, nothing sent or
    /// received; the clock runs on at its last frequency adjustment, as a PHC does when ptp4l or meridiand
    /// exits) or starts again (a fresh engine from ``instance(of:in:seed:currentFrequency:clockMaximum:)``,
    /// its ports brought up as at the start).
    mutating func setDaemonRunning(_ clock: Int, _ running: Bool) {
        guard nodes.indices.contains(clock), stopped[clock] == running else { return }
        stopped[clock] = !running
        // Every timer armed by the old engine is void.
        for index in (portBase[clock] * SimulationCore.portTimerCount)..<(portBase[clock + 1] * SimulationCore.portTimerCount) {
            timerGenerations[index] &+= 1
        }
        for index in (clock * SimulationCore.clockTimerCount)..<((clock + 1) * SimulationCore.clockTimerCount) {
            clockTimerGenerations[index] &+= 1
        }
        guard running else { return }
        let local = oscillators[clock].advance(to: now, random: &random)
        nodes[clock].instance = SimulationCore.instance(
            of: clock, in: network, seed: seed, currentFrequency: oscillators[clock].adjustment,
            clockMaximum: oscillators[clock].maxAdjustment)
        for p in nodes[clock].instance.ports.indices {
            dispatch(clock, .port(p, .linkUp), local: local)
        }
    }

    /// Runs until true time `end`.
    mutating func run(until end: PTPInstant) {
        while let (time, event) = queue.pop(notAfter: end) {
            now = time
            if let next = queue.peek() { warm(for: next) }
            process(event)
        }
        if end > now { now = end }
    }
}

/// Per-clock counters the simulation keeps.
public struct ClockStatistics: Sendable, Hashable {
    public var measurements = 0
    public var steps = 0
    /// How often the servo acquired afresh because the time it followed changed from an untraceable one.
    public var acquisitionRestarts = 0
    public var diagnostics = 0
    public var lastOffsetFromMaster: PTPDuration = .zero
    public var lastMeanPathDelay: PTPDuration = .zero
}

extension SimulationCore {
    /// Asks the processor for the lines the next event will read first (its clock's engine, the port's hot fields,
    /// the clock's oscillator and the timer's generation) while this one runs. In a zone of 10,000 clocks each is
    /// a miss in every cache, and taken one after another by the event they cost more than the event's work; asked
    /// for together and early they arrive in the time of one. A hint only: nothing is read or changed.
    @inline(__always)
    func warm(for event: Event) {
        let clock: Int
        var port = -1
        switch event {
        case .deliver(let c, let p, _):
            clock = Int(c)
            port = Int(p)
        case .timer(let c, let p, let timer, _):
            clock = Int(c)
            port = Int(p)
            let index = timerIndex(clock, port, timer)
            timerGenerations.withUnsafeBufferPointer { if let base = $0.baseAddress { meridian_prefetch(base + index) } }
        case .clockTimer(let c, _, _):
            clock = Int(c)
        case .start, .referenceEdge:
            return
        }
        nodes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let engine = UnsafeRawPointer(base + clock) + engineOffset
            meridian_prefetch(engine)
            meridian_prefetch(engine + 64)
        }
        oscillators.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            meridian_prefetch(base + clock)
        }
        guard port >= 0, let first = UnsafeRawPointer(bitPattern: portEngines[clock]) else { return }
        // The array's count, just before its elements: every event checks the port index against it.
        meridian_prefetch(first - 16)
        let engine = first + port &* MemoryLayout<PortEngine>.stride
        var offset = 0
        while offset < portHotBytes {
            meridian_prefetch(engine + offset)
            offset &+= 64
        }
    }

    /// Where the generation of port `port`'s timer `timer` on `clock` is kept in ``timerGenerations``.
    @inline(__always)
    func timerIndex(_ clock: Int, _ port: Int, _ timer: PortTimer) -> Int {
        (portBase[clock] + port) * SimulationCore.portTimerCount + Int(timer.rawValue)
    }

    /// Notes where the clock's port engines are now, for ``warm(for:)``: after each event, while the engine is in
    /// the cache (a copy of an engine taken for a reader moves its ports on the next change).
    @inline(__always)
    mutating func noteEngines(of clock: Int) {
        portEngines[clock] = nodes[clock].instance.ports.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
    }
}
