import GNSSReference
import MeridianConfig
import MeridianTestSupport
import PTPCore
import PTPEngine
import PTPManagement
import PTPWire

/// The parsers that take outside input, each as one function of arbitrary bytes, for libFuzzer (`make fuzz`,
/// `scripts/fuzz.sh`) and for replaying inputs in tests. Each function traps only when the code under test
/// breaks a rule: a Swift runtime trap (overflow, bounds) or a broken property (`precondition` below).
///
/// Deterministic: the same bytes always take the same path (libFuzzer needs that to minimise a crash).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The wire codec: every message type and TLV (IEEE 1588-2019 clause 13, 14); whatever decodes
    /// re-encodes to bytes that decode to the same message, and management data the same.
    case wire
    /// Management requests through the dispatcher (clause 15) with each privilege; every reply encodes and decodes.
    case management
    /// The ptp4l-format configuration parser: a main file and a ports.d file (split at the first NUL byte),
    /// then the reference settings and their cross-checks.
    case config
    /// gpsd JSON reports, one per line, through the decoder, the PPS pairing, the time-of-day labeller and
    /// the reference discipline.
    case gpsd
    /// The leap-seconds file and the UTC offset resolver at the times it names.
    case leapfile
    /// Network input to the protocol engine: a two-port boundary clock fed received bytes, timers and stamps, then
    /// the same input through a two-port transparent clock (E2E, or P2P for an input of odd length).
    case engine

    public func run(_ data: UnsafeRawBufferPointer) {
        switch self {
        case .wire: Self.wire(Array(data))
        case .management: Self.management(Array(data))
        case .config: Self.config(Array(data))
        case .gpsd: Self.gpsd(Array(data))
        case .leapfile: Self.leapfile(Array(data))
        case .engine: Self.engine(Array(data))
        }
    }

    public func run(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { run($0) }
    }

    // MARK: wire

    static func wire(_ bytes: [UInt8]) {
        if let message = try? PTPMessage.decode(bytes) {
            let encoded = message.encoded()
            guard let again = try? PTPMessage.decode(encoded) else {
                preconditionFailure("a decoded message re-encodes to bytes that do not decode")
            }
            precondition(again == message, "unstable round trip")
            for tlv in message.tlvs {
                if case .management(let management) = tlv { managementData(management, message: message) }
            }
        }
        // The management data decoder on its own, for every ID and action, with the bytes after the first two as
        // data (a TLV-level fuzz that does not need a valid header).
        guard bytes.count >= 3 else { return }
        let id = ManagementID(rawValue: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        let action = ManagementAction.allCases[Int(bytes[2]) % ManagementAction.allCases.count]
        let data = Array(bytes.dropFirst(3))
        if let decoded = try? ManagementData.decode(id: id, action: action, data: data) {
            let encoded = decoded.encode()
            precondition(
                (try? ManagementData.decode(id: id, action: action, data: encoded)) != nil,
                "management data re-encodes to bytes that do not decode")
        }
    }

    private static func managementData(_ tlv: ManagementTLV, message: PTPMessage) {
        for action in ManagementAction.allCases {
            _ = try? ManagementData.decode(id: tlv.managementId, action: action, data: tlv.data)
        }
    }

    // MARK: management

    static let dispatcher = ManagementDispatcher()
    static let snapshot = ExampleSnapshot.snapshot(ports: 2)

    static func management(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        guard let message = try? PTPMessage.decode(Array(bytes.dropFirst())) else { return }
        let privileges: [ManagementPrivilege] = [
            .localReadWrite, .localReadOnly, .network(writesAllowed: false), .network(writesAllowed: true),
        ]
        let requester = ManagementRequester(
            privilege: privileges[Int(first & 3)], ingressPort: UInt16(first >> 2 & 3))
        switch dispatcher.handle(message, snapshot: snapshot, requester: requester) {
        case .drop: break
        case .reply(let replies):
            for reply in replies { checkReply(reply) }
        case .apply(_, let pending):
            let result: Result<Void, ManagementErrorID> = first & 0x10 == 0 ? .success(()) : .failure(.wrongValue)
            for reply in dispatcher.complete(pending, result: result, snapshot: snapshot) { checkReply(reply) }
        }
    }

    private static func checkReply(_ reply: PTPMessage) {
        let encoded = reply.encoded()
        precondition(encoded.count <= 65_535, "a reply longer than messageLength can say")
        precondition((try? PTPMessage.decode(encoded)) == reply, "a reply does not survive its own encoding")
    }

    // MARK: config

    static func config(_ bytes: [UInt8]) {
        let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
        let main = String(decoding: bytes[..<split], as: UTF8.self)
        let port = split < bytes.endIndex ? String(decoding: bytes[(split + 1)...], as: UTF8.self) : nil
        let result = ConfigParser.parse(
            main: ConfigSource(name: "fuzz.conf", text: main),
            portFiles: port.map { [ConfigSource(name: "ports.d/eth9.conf", text: $0, kind: .portFile(defaultInterface: "eth9"))] }
                ?? [],
            interfaces: ["eth0"])
        switch result {
        case .success(let configuration):
            _ = ReferenceConfigCheck.diagnostics(configuration, file: "fuzz.conf")
            _ = ReferenceSettings(configuration)
            _ = configuration.effectiveSettingsText()
            for key in ConfigKeys.all {
                _ = configuration.setting(key.name)
                for section in configuration.ports { _ = configuration.setting(key.name, port: section.interface) }
            }
        case .failure(let errors):
            precondition(!errors.diagnostics.isEmpty, "a failed parse with no diagnostic")
            for diagnostic in errors.diagnostics { _ = diagnostic.description }
        }
    }

    // MARK: gpsd

    static func gpsd(_ bytes: [UInt8]) {
        // The first 12 bytes stand for what libgps decoded (fix time, mode, status, SKY counts); the rest is JSON.
        guard bytes.count >= 12 else { return }
        var header = bytes.prefix(12).makeIterator()
        func next64() -> Int64 {
            var value: UInt64 = 0
            for _ in 0..<4 { value = value << 8 | UInt64(header.next() ?? 0) }
            return Int64(bitPattern: value << 32 | value)
        }
        let seconds = next64()
        let fixTime: UnixTime? = seconds & 1 == 0 ? UnixTime(seconds: seconds >> 1, nanoseconds: next64()) : nil
        let libgps = GPSDReportDecoder.LibGPSFields(
            fixTime: fixTime, mode: Int(bytes[8]) - 1, status: Int(bytes[9]), satellitesUsed: Int(Int8(bitPattern: bytes[10])),
            satellitesVisible: Int(bytes[11]))
        var pairing = PPSPairing()
        var labeller = TimeOfDayLabeller()
        var discipline = ReferenceDiscipline(configuration: ReferenceDisciplineConfiguration(timescale: .tai))
        var arrival = PTPInstant(seconds: 1_700_000_000)
        for line in bytes.dropFirst(12).split(separator: UInt8(ascii: "\n")) {
            guard let report = GPSDReportDecoder.decode(String(decoding: line, as: UTF8.self), libgps: libgps) else { continue }
            arrival = arrival + .milliseconds(100)
            labeller.add(report, arrival: arrival)
            if case .success(let label) = labeller.label(edgeSystemTime: arrival + .milliseconds(900)) {
                _ = discipline.sample(
                    ReferenceSample(
                        edge: arrival, utcSecond: label.second, fixMode: GNSSFixMode(rawValue: label.fix.mode) ?? .unknown,
                        satellitesUsed: label.satellitesUsed, gpsMinusUTC: label.fix.leapSeconds))
            }
            for pair in pairing.add(report) {
                _ = discipline.sample(
                    ReferenceSample(
                        edge: PTPInstant(seconds: pair.pulse.clock.seconds, nanoseconds: pair.pulse.clock.nanoseconds),
                        utcSecond: pair.pulse.real.seconds, fixMode: GNSSFixMode(rawValue: pair.fix.mode) ?? .unknown,
                        satellitesUsed: pair.satellitesUsed, gpsMinusUTC: pair.fix.leapSeconds))
            }
            _ = discipline.tick(now: arrival)
        }
        _ = pairing.lastTimeOffset
    }

    // MARK: leapfile

    static func leapfile(_ bytes: [UInt8]) {
        guard case .success(let table) = LeapSecondTable.parse(String(decoding: bytes, as: UTF8.self)) else { return }
        let resolver = UTCOffsetResolver(configuredOffset: 37, table: table)
        var probes: [Int64] = [0, 1_700_000_000, ReferenceSample.plausibleUTCSeconds.upperBound]
        for entry in table.entries { probes += [entry.utcSecond - 1, entry.utcSecond, entry.utcSecond + 1] }
        if let expires = table.expires { probes.append(expires) }
        for second in probes {
            for receiver in [nil, 18] as [Int?] { _ = resolver.resolve(atUTC: second, receiverGPSMinusUTC: receiver) }
            _ = table.nextLeap(afterUTC: second)
        }
    }

    // MARK: engine

    static func engine(_ bytes: [UInt8]) {
        let clock = ClockIdentity(rawValue: 0x0011_22FF_FE33_4455)
        engine(
            bytes,
            InstanceConfiguration(
                defaultDS: DefaultDS(clockIdentity: clock, numberPorts: 2),
                ports: [PortConfiguration(portNumber: 1), PortConfiguration(portNumber: 2, delayMechanism: .p2p)]))
        let peerToPeer = bytes.count % 2 == 1
        let mechanism: DelayMechanism = peerToPeer ? .p2p : .e2e
        var transparent = InstanceConfiguration(
            defaultDS: DefaultDS(clockIdentity: clock, numberPorts: 2),
            ports: [
                PortConfiguration(portNumber: 1, delayMechanism: mechanism),
                PortConfiguration(portNumber: 2, delayMechanism: mechanism),
            ])
        transparent.transparentClock = TransparentClockConfiguration(
            mechanism: peerToPeer ? .peerToPeer : .endToEnd, spanningTree: bytes.first.map { $0 & 0x40 != 0 } ?? false,
            freeRunning: true, frequencyEstimationInterval: 0)
        engine(bytes, transparent)
    }

    static func engine(_ bytes: [UInt8], _ configuration: InstanceConfiguration) {
        var instance = InstanceEngine(configuration: configuration)
        var t = PTPInstant(seconds: 1_700_000_000)
        var actions: [InstanceAction] = []
        instance.handle(.port(0, .linkUp), at: t, into: &actions)
        instance.handle(.port(1, .linkUp), at: t, into: &actions)
        // Records: [control, length, bytes…]; control picks the port, a timer or stamp, and how far time moves.
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let control = bytes[index]
            let length = Int(bytes[index + 1])
            let start = index + 2
            let end = min(bytes.endIndex, start + length)
            let packet = Array(bytes[start..<end])
            index = end
            let port = Int(control & 1)
            t = t + .milliseconds(Int64(control >> 4) * 64)
            actions.removeAll(keepingCapacity: true)
            instance.handle(.port(port, .receivedBytes(packet, timestamp: t)), at: t, into: &actions)
            switch control >> 1 & 7 {
            case 0:
                let timer = PortTimer.allCases[Int(packet.first ?? 0) % PortTimer.allCases.count]
                instance.handle(.port(port, .timerFired(timer)), at: t, into: &actions)
            case 1:
                for action in actions {
                    if case .port(let p, .send(let message)) = action, let token = message.token {
                        instance.handle(.port(p, .transmitted(token, timestamp: t)), at: t, into: &actions)
                        break
                    }
                }
            case 2: instance.handle(.clockTimerFired(.silence), at: t, into: &actions)
            case 3: instance.handle(.port(port, .linkDown), at: t, into: &actions)
            case 4: instance.handle(.port(port, .linkUp), at: t, into: &actions)
            default: break
            }
        }
    }
}
