import PTPCore
import PTPEngine
import PTPManagement
import PTPServo
import PTPWire

/// Management's view of one clock (pmc, meridianctl): GETs read the state the ``ClockActor`` published
/// after its last pass (``ClockStateBox``), with no hop onto the actor; SETs and COMMANDs are carried out
/// by the actor, which publishes before it answers, so the reply shows the new value.
struct ClockManagement: ManagementBackend {
    let actor: ClockActor
    var published: ClockStateBox { actor.published }
    let clock: ClockSource
    let ports: [PortDescription]
    let referenceKind: MeridianStatus.ReferenceKind

    /// What management shows of a port that neither the engine nor the counters hold.
    struct PortDescription: Sendable {
        var interface: String
        var timestamping: TimestampingNP
        var alwaysASCapable: Bool
        var physicalAddress: [UInt8]
        var protocolAddress: PortAddress
        /// CLOCK_DESCRIPTION's profileIdentity for this port (linuxptp 4 gives it per port).
        var profileIdentity: [UInt8]? = nil
    }

    func snapshot() async -> ManagementSnapshot {
        snapshot(of: published.load())
    }

    /// The snapshot of one published state, synchronously: the HTTP endpoint reads it on its own thread.
    func snapshot(of state: PublishedState) -> ManagementSnapshot {
        let extras = ports.enumerated().map { index, port in
            var extra = ManagementPortExtras(interfaceName: port.interface, timestamping: port.timestamping)
            if index < state.received.count {
                extra.receivedMessages = state.received[index]
                extra.sentMessages = state.sent[index]
            }
            extra.physicalAddress = port.physicalAddress
            extra.protocolAddress = port.protocolAddress
            extra.profileIdentity = port.profileIdentity
            let threshold = index < state.neighborPropDelayThresh.count ? state.neighborPropDelayThresh[index] : 20_000_000
            extra.dataSetNP = ManagementPortExtras.dataSetNP(
                neighborPropDelayThresh: threshold, alwaysCapable: port.alwaysASCapable,
                received: extra.receivedMessages, sent: extra.sentMessages)
            // An IEEE 802.1AS port (follow_up_info) shows the engine's own asCapable (linuxptp `port_capable`).
            if index < state.engine.ports.count, state.engine.ports[index].configuration.followUpInformation {
                extra.dataSetNP.asCapable = state.engine.ports[index].asCapable
            }
            return extra
        }
        var snapshot = ManagementSnapshot(
            engine: state.engine, ports: extras, synchronizationUncertain: state.synchronizationUncertain,
            status: status(state))
        snapshot.timeStatus.ingressTime = state.lastIngress?.sinceEpoch.nanoseconds ?? 0
        return snapshot
    }

    func apply(_ command: ManagementCommand) async -> Result<Void, ManagementErrorID> {
        await actor.apply(command)
    }

    /// What pmc cannot show: the reference, the servo, the virtual clock's true error (MERIDIAN_STATUS_NP).
    func status(_ state: PublishedState) -> MeridianStatus {
        var status = MeridianStatus()
        let engine = state.engine.clock
        if let reference = engine.reference {
            status.referenceKind = referenceKind
            status.ppsValid = reference.state == .locked
            status.inHoldover = reference.state == .holdoverWithinSpecification || reference.state == .holdoverOutOfSpecification
            status.referenceState = status.inHoldover ? .lost : .unknown
            status.lastPPSOffset = reference.lastOffset?.roundedNanoseconds ?? 0
            // Since holdover began, not since the last state change: going out of spec does not restart it.
            if status.inHoldover, let since = reference.holdover.holdoverStart ?? reference.stateSince,
                let now = try? clock.clock.now()
            {
                status.holdoverSeconds = UInt32(clamping: max(0, (now - since).nanoseconds / 1_000_000_000))
            }
        }
        // The receiver as its latest report described it (fix mode, satellites used), while that report is
        // fresh: a silent receiver has nothing to show but `lost`.
        if let report = state.lastReceiverReport, ContinuousClock.now - report.at <= Self.receiverReportLifetime {
            status.satellites = UInt8(clamping: max(0, report.satellites ?? 0))
            status.referenceState = MeridianStatus.ReferenceState(report.fix)
        }
        if let step = engine.lastStep {
            status.lastOffset = step.offsetFromMaster.roundedNanoseconds
            status.lastPathDelay = step.meanPathDelay.roundedNanoseconds
        }
        // The one servo, whichever source steers it now.
        let servo = engine.discipline.servo
        status.servoFrequency = Self.scaled(servo.lastFrequency.value)
        switch servo.state {
        case .unlocked: status.servoState = .unlocked
        case .jump: status.servoState = .jump
        case .locked: status.servoState = status.inHoldover || engine.discipline.inHoldover ? .holdover : .locked
        }
        status.virtualClockError = clock.trueErrorNanoseconds
        status.rmsOffset = state.tracking.rmsOffset?.roundedNanoseconds ?? 0
        status.residualFrequency = Self.scaled(state.tracking.residualFrequency ?? 0)
        status.frequencySkew = Self.scaled(state.tracking.skew ?? 0)
        return status
    }

    /// ppb as MERIDIAN_STATUS_NP carries it, × 2¹⁶ (a clock's adjustment is bounded far inside Int64 at that
    /// scale; a non-finite value shows as 0).
    static func scaled(_ ppb: Double) -> Int64 {
        let scaled = (ppb * 65_536).rounded()
        return scaled.isFinite ? Int64(min(max(scaled, -9.0e18), 9.0e18)) : 0
    }

    /// How long a receiver report is shown: two missed pulses at 1 PPS, like the reference's own timeout.
    static let receiverReportLifetime = Duration.milliseconds(2_500)
}

extension MeridianStatus.ReferenceState {
    /// The status code of a receiver's fix.
    init(_ fix: GNSSFixMode) {
        switch fix {
        case .unknown: self = .unknown
        case .noFix: self = .noFix
        case .twoDimensional: self = .fix2D
        case .threeDimensional: self = .fix3D
        }
    }
}
