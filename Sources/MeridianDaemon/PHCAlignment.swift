import LinuxPlatform
import PTPCore
import PTPServo

/// A boundary clock over several PHCs (`boundary_clock_jbod 1`): what ptp4l and `phc2sys -a` do together,
/// in one process.
///
/// The servo disciplines one clock (`clock_device`). Every other PHC a port stamps with (`phc_index`, or the
/// interface's own) is kept aligned to it by its own PI servo, once a second, as phc2sys keeps a PHC on
/// another: its offset from the disciplined clock is measured through the one relation every clock has to
/// `CLOCK_REALTIME` (``SystemClockRelation``: each PHC's sys-offset, taken back to back; the uncertainty is
/// the sum of the two read windows), then it is slewed, or stepped beyond `step_threshold`. When the servo
/// steps the disciplined clock the aligned PHCs are stepped by the same amount at once (phc2sys would see a
/// sudden offset and step or slew a second later).
///
/// A port's timestamps (its PHC's readings) are converted into the disciplined clock's time as they arrive,
/// adding the PHC-to-PHC offset measured then (``convert(_:port:)``): the engine, the servo and every Sync
/// see one clock, and whatever the alignment servo has not yet taken out does not reach the time served.
/// ptp4l's jbod instead switches its servo to the slave port's PHC and leaves the others to phc2sys.
struct PHCAlignment: Sendable {
    /// One PHC other than the disciplined clock, and the ports that stamp with it.
    struct Aligned: Sendable {
        let ports: [Int]
        let phc: PHCClock
        let relation: SystemClockRelation
        /// The PHC's reading for a port timestamp: identity for a real PHC (its hardware stamps are its
        /// readings); on an emulated PHC, its reading at the kernel's software stamp (as a NIC would stamp).
        let reading: @Sendable (PTPInstant) -> PTPInstant
        /// This PHC − the disciplined clock as the lab knows it (emulations only), for the log.
        let trueOffset: (@Sendable () -> PTPDuration?)?
        var servo: PIServo
        /// The last measured PHC − disciplined clock, and its uncertainty.
        var lastOffset: PTPDuration?
        var lastUncertainty: PTPDuration = .zero
        var steps = 0
    }

    private(set) var aligned: [Aligned]
    /// Port index → index in ``aligned``.
    private let byPort: [Int: Int]
    let disciplined: SystemClockRelation
    /// Conversions that could not measure the relation and used the last measured offset.
    private(set) var staleConversions = 0

    init(aligned: [Aligned], disciplined: SystemClockRelation) {
        self.aligned = aligned
        self.disciplined = disciplined
        var map: [Int: Int] = [:]
        for (index, entry) in aligned.enumerated() {
            for port in entry.ports { map[port] = index }
        }
        byPort = map
    }

    /// The alignment servo: the daemon's step limits, hardware-stamp PI gains (two PHCs read through
    /// sys-offset are as precise as hardware stamps; phc2sys's defaults), one sample a second.
    static func servo(for phc: PHCClock, settings: ServoConfiguration) -> PIServo {
        var configuration = settings
        configuration.timestamping = .hardware
        configuration.piProportionalConst = 0
        configuration.piIntegralConst = 0
        configuration.piProportionalScale = 0
        configuration.piIntegralScale = 0
        return PIServo(
            configuration: configuration, currentFrequency: (try? phc.frequency()) ?? .zero, clockMaximum: phc.maxFrequency,
            syncInterval: 1)
    }

    /// What /metrics shows of one aligned PHC.
    struct Summary: Sendable, Hashable {
        var phc: String
        /// Port numbers (1-based) that stamp with it.
        var ports: [Int]
        /// The last measured PHC − disciplined clock, and that measurement's uncertainty.
        var offset: PTPDuration?
        var uncertainty: PTPDuration
        var steps: Int
    }

    var summary: [Summary] {
        aligned.map {
            Summary(
                phc: $0.phc.name, ports: $0.ports.map { $0 + 1 }, offset: $0.lastOffset, uncertainty: $0.lastUncertainty,
                steps: $0.steps)
        }
    }

    /// The widest PHC-to-PHC window now (each aligned PHC measured once against the disciplined clock): what a
    /// port's converted stamps may be off by, so part of a grandmaster's announced error (7.6.2.6).
    func worstUncertainty() throws(ClockError) -> PTPDuration {
        var worst = PTPDuration.zero
        for entry in aligned {
            let measured = try SystemClockRelation.offset(from: entry.relation, to: disciplined)
            if measured.uncertainty > worst { worst = measured.uncertainty }
        }
        return worst
    }

    /// Whether port `index` stamps with a PHC of its own.
    func isAligned(port index: Int) -> Bool { byPort[index] != nil }

    /// The disciplined clock's time of port `port`'s timestamp `stamp`, or nil when the port stamps with the
    /// disciplined clock itself. The PHC-to-PHC offset is measured now (the stamp is at most milliseconds old:
    /// with the PHCs 100 ppm apart that ages the offset by 100 ns per millisecond, and aligned PHCs are ppb apart).
    mutating func convert(_ stamp: PTPInstant, port: Int) -> PTPInstant? {
        guard let index = byPort[port] else { return nil }
        let entry = aligned[index]
        let reading = entry.reading(stamp)
        if let measured = try? SystemClockRelation.offset(from: entry.relation, to: disciplined) {
            return reading + measured.offset
        }
        staleConversions += 1
        return reading - (entry.lastOffset ?? .zero)
    }

    /// Steps every aligned PHC by `step`: the disciplined clock was stepped by it (never with `free_running 1`:
    /// the disciplined clock is not stepped then).
    mutating func disciplinedStepped(by step: PTPDuration) -> [String] {
        var problems: [String] = []
        for index in aligned.indices {
            do {
                try aligned[index].phc.step(by: step)
            } catch {
                problems.append("jbod: cannot step \(aligned[index].phc.name) with the disciplined clock: \(error)")
            }
        }
        return problems
    }

    /// One measurement and adjustment of every aligned PHC (once a second); returns the log lines, shaped as
    /// phc2sys's (`… phc offset … s2 freq … delay …`), with the lab's true offset on an emulation. With `steer`
    /// false (`free_running 1`: measure, never adjust) the PHCs are measured and logged only; their stamps are
    /// converted all the same.
    mutating func tick(steer: Bool = true) -> [String] {
        var lines: [String] = []
        for index in aligned.indices {
            var entry = aligned[index]
            let ports = entry.ports.map { "port \($0 + 1)" }.joined(separator: ", ")
            let measured: (offset: PTPDuration, uncertainty: PTPDuration)
            do {
                measured = try SystemClockRelation.offset(from: entry.relation, to: disciplined)
            } catch {
                lines.append("jbod: \(entry.phc.name) (\(ports)): cannot relate it to the disciplined clock: \(error)")
                continue
            }
            // PHC − disciplined clock: positive when this PHC is ahead.
            let offset = PTPDuration.zero - measured.offset
            entry.lastOffset = offset
            entry.lastUncertainty = measured.uncertainty
            guard steer else {
                lines.append(
                    "jbod: \(entry.phc.name) (\(ports)) phc offset \(offset.roundedNanoseconds) delay \(measured.uncertainty.roundedNanoseconds) (free_running: not adjusted)"
                )
                aligned[index] = entry
                continue
            }
            // The servo's time base is CLOCK_REALTIME at the measurement (never stepped by this daemon with jbod),
            // not the PHC, which steps with the disciplined clock and would give the servo a jump of seconds.
            let localTime = entry.relation.lastMeasurement?.systemTime ?? (try? entry.phc.now()) ?? .epoch
            let output = entry.servo.sample(offset: offset, localTime: localTime)
            var problems: [String] = []
            if let step = output.step {
                do {
                    try entry.phc.step(by: step)
                    entry.steps += 1
                } catch {
                    problems.append("step: \(error)")
                }
            }
            do { try entry.phc.adjustFrequency(output.frequency) } catch { problems.append("frequency: \(error)") }
            var line =
                "jbod: \(entry.phc.name) (\(ports)) phc offset \(offset.roundedNanoseconds) s\(output.state.rawValue) freq \(Int64(output.frequency.value.rounded())) delay \(measured.uncertainty.roundedNanoseconds)"
            if let truth = entry.trueOffset?() { line += " true offset \(truth.roundedNanoseconds)" }
            if !problems.isEmpty { line += " (" + problems.joined(separator: "; ") + ")" }
            lines.append(line)
            aligned[index] = entry
        }
        return lines
    }
}
