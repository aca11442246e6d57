import PTPCore
import PTPEngine
import PTPServo

/// One simulated clock: its identity and BMCA attributes, its oscillator, its servo and how its
/// ports are configured.
public struct SimulatedClock: Sendable {
    public var identity: ClockIdentity
    public var priority1: UInt8 = 128
    public var priority2: UInt8 = 128
    public var clockQuality: ClockQuality = .default
    public var slaveOnly = false
    /// Oscillator frequency error (positive: fast).
    public var frequencyError: PartsPerBillion = .zero
    /// Random-walk frequency wander, ppb per √s.
    public var wander: Double = 0
    /// Time stamp noise, ns (one standard deviation).
    public var stampNoise: Double = 0
    /// The chance a time stamp is late by a spike uniform in `stampSpike` ns (software stamping); 0: none.
    public var stampSpikeProbability: Double = 0
    public var stampSpike: ClosedRange<Double> = 0...0
    /// Local time minus true time at the start.
    public var initialOffset: PTPDuration = .zero
    /// How long after a frame leaves its transmit time stamp reaches the engine (the error-queue
    /// round trip), so a Follow_Up leaves that much after its Sync.
    public var transmitTimestampDelay: PTPDuration = .microseconds(5)
    public var servo: ServoKind = .pi
    public var servoConfiguration: ServoConfiguration = .default
    /// The template for each port; portNumber is assigned as links are added.
    public var port: PortConfiguration = PortConfiguration(portNumber: 1)
    /// Per-port overrides by port number (for example masterOnly on one port).
    public var portOverrides: [UInt16: PortConfiguration] = [:]
    /// The BMCA's data set comparison and localPriority (`dataset_comparison`; a G.8275 T-BC's holdover classes).
    public var bmca = BMCAConfiguration()
    /// The servo's outlier filter (`servo_outlier_filter`), as the daemon runs it; nil: off.
    public var outlierFilter: OutlierFilter?
    /// A simulated GNSS receiver steering this clock through the ``ReferenceDiscipline`` while it is the
    /// grandmaster, as `reference simulated` does in the daemon; nil: none.
    public var reference: SimulatedReference?
    /// The time properties this clock announces as grandmaster without a reference (a GNSS-locked
    /// grandmaster is timeTraceable); nil: the defaults (nothing traceable).
    public var timeProperties: TimePropertiesDS?

    public init(identity: ClockIdentity) {
        self.identity = identity
    }

    /// A clock with identity derived from `number` (`000000.fffe.0000nn` style).
    public init(number: Int) {
        self.init(identity: ClockIdentity(rawValue: 0x0000_00FF_FE00_0000 | UInt64(number & 0xFF_FFFF)))
    }
}

/// The delay model of a link or shared segment.
public struct LinkModel: Sendable, Hashable {
    /// Mean one-way delay.
    public var delay: PTPDuration
    /// Gaussian jitter (one standard deviation, ns), truncated so delay never goes below `delay / 2`.
    public var jitter: Double
    /// Added to the delay from the first endpoint to the others and taken off the way back.
    public var asymmetry: PTPDuration
    /// Wander of the delay into each endpoint (one standard deviation, ns): a latency that stays above or below
    /// the mean for about ``wanderTime``, as software time stamps on a busy machine show (docs/zone-calibration.md,
    /// run 4). Zero: none, and no random number is drawn for it.
    public var wander: Double
    /// The wander's correlation time (seconds): an Ornstein–Uhlenbeck process, its correlation e^(−t/wanderTime).
    public var wanderTime: Double

    public init(
        delay: PTPDuration = .microseconds(1), jitter: Double = 0, asymmetry: PTPDuration = .zero, wander: Double = 0,
        wanderTime: Double = 0.5
    ) {
        self.delay = delay
        self.jitter = jitter
        self.asymmetry = asymmetry
        self.wander = wander
        self.wanderTime = wanderTime
    }
}

/// A network to simulate: clocks, and segments joining their ports (a two-ended segment is a link).
public struct NetworkDescription: Sendable {
    public internal(set) var clocks: [SimulatedClock] = []
    /// For each segment, the (clock, port index) endpoints and its model.
    public internal(set) var segments: [(endpoints: [(clock: Int, port: Int)], model: LinkModel)] = []
    var portCounts: [Int] = []

    public init() {}

    /// Adds a clock and returns its index.
    @discardableResult
    public mutating func addClock(_ clock: SimulatedClock) -> Int {
        clocks.append(clock)
        portCounts.append(0)
        return clocks.count - 1
    }

    /// Joins the clocks by a new port on each (in order: the first is the "forward" end).
    public mutating func connect(_ members: [Int], model: LinkModel = LinkModel()) {
        var endpoints: [(clock: Int, port: Int)] = []
        for c in members where clocks.indices.contains(c) {
            endpoints.append((c, portCounts[c]))
            portCounts[c] += 1
        }
        segments.append((endpoints, model))
    }

    /// The port configurations of clock `index`, numbered from 1.
    func portConfigurations(of index: Int) -> [PortConfiguration] {
        let clock = clocks[index]
        return (0..<portCounts[index]).map { i in
            let number = UInt16(i + 1)
            var configuration = clock.portOverrides[number] ?? clock.port
            configuration.portNumber = number
            return configuration
        }
    }
}

/// A simulated GNSS receiver: one PPS edge per true second, stamped by the clock with Gaussian jitter,
/// labelled with its UTC second (the simulation's true time is UTC), silent during its outages.
public struct SimulatedReference: Sendable {
    /// The discipline's settings (validation, holdover model, quality policy); the timescale is UTC.
    public var configuration: ReferenceDisciplineConfiguration
    /// Edge jitter, ns (one standard deviation).
    public var jitter: Double
    /// Outages: (start, duration) in seconds from the start of the simulation.
    public var outages: [(start: Double, duration: Double)]
    public var satellites: Int

    public init(
        configuration: ReferenceDisciplineConfiguration = ReferenceDisciplineConfiguration(timescale: .utc),
        jitter: Double = 50, outages: [(start: Double, duration: Double)] = [], satellites: Int = 9
    ) {
        self.configuration = configuration
        self.jitter = jitter
        self.outages = outages
        self.satellites = satellites
    }

    func isOut(atSecondsFromStart t: Double) -> Bool {
        outages.contains { t >= $0.start && t < $0.start + $0.duration }
    }
}
