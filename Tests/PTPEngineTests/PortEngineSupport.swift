import PTPCore
import PTPEngine
import PTPWire

/// Helpers to drive port engines by hand in tests.
enum PortFixture {
    static let masterClock = ClockIdentity(rawValue: 0xAA00_00FF_FE00_0001)
    static let slaveClock = ClockIdentity(rawValue: 0xBB00_00FF_FE00_0002)
    static let origin = PTPInstant(seconds: 1_700_000_000)

    static var content: AnnounceContent {
        let ds = DefaultDS(clockIdentity: masterClock, numberPorts: 1)
        return AnnounceContent(
            parentDS: ParentDS(selfAsGrandmaster: ds), currentDS: CurrentDS(),
            timeProperties: TimePropertiesDS())
    }

    static func port(_ clock: ClockIdentity, _ configuration: PortConfiguration = PortConfiguration(portNumber: 1))
        -> PortEngine
    {
        PortEngine(configuration: configuration, clockIdentity: clock, announceContent: content, seed: 1)
    }

    /// A master port in MASTER.
    static func master(_ configuration: PortConfiguration = PortConfiguration(portNumber: 1)) -> PortEngine {
        var p = port(masterClock, configuration)
        _ = p.handle(.linkUp, at: origin)
        _ = p.handle(.recommendedState(.m2, parent: nil, stepsRemoved: 0), at: origin)
        return p
    }

    /// A slave port in UNCALIBRATED whose parent is `master`.
    static func slave(_ configuration: PortConfiguration = PortConfiguration(portNumber: 1), parent: PortIdentity)
        -> PortEngine
    {
        var p = port(slaveClock, configuration)
        _ = p.handle(.linkUp, at: origin)
        _ = p.handle(.recommendedState(.s1, parent: parent, stepsRemoved: 1), at: origin)
        return p
    }

    static func sent(_ actions: [PortAction]) -> [OutgoingMessage] {
        actions.compactMap { if case .send(let m) = $0 { m } else { nil } }
    }

    static func measurements(_ actions: [PortAction]) -> [SyncMeasurement] {
        actions.compactMap { if case .measurement(let m) = $0 { m } else { nil } }
    }

    static func diagnostics(_ actions: [PortAction]) -> [PortDiagnostic] {
        actions.compactMap { if case .diagnostic(let d) = $0 { d } else { nil } }
    }

    static func stateChanges(_ actions: [PortAction]) -> [PortStateChange] {
        actions.compactMap { if case .stateChanged(let c) = $0 { c } else { nil } }
    }
}

/// Two ports and a wire between them with exact, known timing, to check the delay arithmetic.
struct ExchangeFixture {
    var master: PortEngine
    var slave: PortEngine
    /// Master clock time when the exchange starts.
    var masterTime = PortFixture.origin + .nanoseconds(Int64(123)) + .scaledNanoseconds(0x4000)  // +0.25 ns
    /// Slave clock minus master clock.
    var offset: PTPDuration
    var masterToSlave: PTPDuration
    var slaveToMaster: PTPDuration
    /// Extra time the slave's time stamps are late by at ingress / early by at egress (16.7 latencies).
    var slaveIngressStampLate: PTPDuration = .zero
    var slaveEgressStampEarly: PTPDuration = .zero

    /// Runs Sync (two-step) and Follow_Up; returns the slave's actions.
    mutating func syncRound() -> [PortAction] {
        let syncActions = master.handle(.timerFired(.sync), at: masterTime)
        guard let sync = PortFixture.sent(syncActions).first(where: { $0.message.messageType == .sync }) else { return [] }
        var slaveActions: [PortAction] = []
        let t1 = masterTime
        if let token = sync.token {
            let follow = master.handle(.transmitted(token, timestamp: t1), at: t1)
            let t2 = t1 + masterToSlave + offset + slaveIngressStampLate
            slaveActions += slave.handle(.received(sync.message, timestamp: t2), at: t2)
            for f in PortFixture.sent(follow) {
                slaveActions += slave.handle(.received(f.message, timestamp: t2), at: t2)
            }
        } else {
            // One-step: the transport writes t1 into the Sync as it leaves.
            var message = sync.message
            let wire = WireTimestamp(t1)
            message.body = .sync(OriginTimestampBody(originTimestamp: wire))
            message.header.correctionField = ScaledNanoseconds(saturating: t1 - wire.instant)
            let t2 = t1 + masterToSlave + offset + slaveIngressStampLate
            slaveActions += slave.handle(.received(message, timestamp: t2), at: t2)
        }
        masterTime = masterTime + .milliseconds(Int64(125))
        return slaveActions
    }

    /// Runs Delay_Req / Delay_Resp; returns the slave's actions.
    mutating func delayRound() -> [PortAction] {
        let t3Slave = masterTime + offset + .nanoseconds(Int64(7))
        var actions = slave.handle(.timerFired(.delayRequest), at: t3Slave)
        guard let request = PortFixture.sent(actions).first(where: { $0.message.messageType == .delayReq }),
            let token = request.token
        else { return actions }
        actions += slave.handle(.transmitted(token, timestamp: t3Slave - slaveEgressStampEarly), at: t3Slave)
        let t4 = t3Slave - offset + slaveToMaster
        let response = master.handle(.received(request.message, timestamp: t4), at: t4)
        for r in PortFixture.sent(response) {
            actions += slave.handle(.received(r.message, timestamp: t3Slave), at: t3Slave)
        }
        masterTime = masterTime + .milliseconds(Int64(125))
        return actions
    }
}
