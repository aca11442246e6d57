import PTPCore

@testable import PTPWire

/// Random valid messages of every type, with the TLVs each type may carry.
///
/// Valid means what the codec promises to round-trip: organization and management data of even length
/// (the codec pads odd content, as the standard requires TLVs to be even), known TLV types only where
/// their layout holds, unknown TLVs with types nobody has assigned.
struct MessageGenerator {
    var rng: SplitMix64
    /// Keep header fields to what tshark dissects as plain PTPv2 (majorSdoId 0, not gPTP).
    var tsharkSafe = false

    init(seed: UInt64, tsharkSafe: Bool = false) {
        rng = SplitMix64(seed: seed)
        self.tsharkSafe = tsharkSafe
    }

    mutating func int<T: FixedWidthInteger>(_: T.Type = T.self) -> T { T.random(in: .min ... .max, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in int(UInt8.self) } }
    mutating func evenBytes(upTo max: Int) -> [UInt8] { bytes(Int.random(in: 0...(max / 2), using: &rng) * 2) }
    mutating func timestamp() -> WireTimestamp {
        WireTimestamp(
            secondsField: UInt64.random(in: 0...WireTimestamp.maxSeconds, using: &rng),
            nanosecondsField: UInt32.random(in: 0..<1_000_000_000, using: &rng))
    }
    mutating func port() -> PortIdentity { PortIdentity(clockIdentity: ClockIdentity(rawValue: int()), portNumber: int()) }
    mutating func text(upTo max: Int = 40) -> PTPText {
        let letters = Array("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789-_;.".utf8)
        return PTPText(bytes: (0..<Int.random(in: 0...max, using: &rng)).map { _ in letters.randomElement(using: &rng) ?? 65 })
    }

    mutating func header(_ type: MessageType) -> PTPHeader {
        PTPHeader(
            messageType: type, sourcePortIdentity: port(), sequenceId: int(), domainNumber: int(),
            flags: PTPFlags(rawValue: tsharkSafe ? int(UInt16.self) & 0x677F : int()),
            correctionField: ScaledNanoseconds(rawValue: int()), logMessageInterval: int(),
            majorSdoId: tsharkSafe ? 0 : UInt8.random(in: 0...15, using: &rng), minorSdoId: int(),
            minorVersionPTP: tsharkSafe ? UInt8.random(in: 0...1, using: &rng) : UInt8.random(in: 0...15, using: &rng),
            messageTypeSpecific: int(), controlField: int())
    }

    mutating func suffixTLV() -> TLV {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return .pathTrace((0..<Int.random(in: 0...6, using: &rng)).map { _ in ClockIdentity(rawValue: int()) })
        case 1:
            return .organizationExtension(
                OrganizationExtensionTLV(
                    tlvType: [
                        TLVType.organizationExtension, .organizationExtensionPropagate, .organizationExtensionDoNotPropagate,
                    ]
                    .randomElement(using: &rng) ?? .organizationExtension,
                    organizationId: 0x00_1234 | UInt32(int(UInt8.self)) << 16 & 0x0F_0000,
                    organizationSubType: UInt32(int(UInt16.self)), dataField: evenBytes(upTo: 32)))
        case 2:
            return .alternateTimeOffsetIndicator(
                AlternateTimeOffsetIndicatorTLV(
                    keyField: int(), currentOffset: int(), jumpSeconds: int(),
                    timeOfNextJump: UInt64.random(in: 0...WireTimestamp.maxSeconds, using: &rng), displayName: text(upTo: 12)))
        default:
            // 0x2004–0x3FFF is unassigned in table 52.
            return .unknown(
                type: TLVType(rawValue: UInt16.random(in: 0x2004...0x3FFF, using: &rng)),
                value: bytes(Int.random(in: 0...24, using: &rng)))
        }
    }

    mutating func signalingTLV() -> TLV {
        let type = UInt8([0x0, 0x9, 0xB, 0x1].randomElement(using: &rng) ?? 0)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            return .requestUnicastTransmission(
                UnicastTransmissionTLV(messageType: type, logInterMessagePeriod: int(), duration: int()))
        case 1:
            return .grantUnicastTransmission(
                UnicastTransmissionTLV(
                    messageType: type, logInterMessagePeriod: int(), duration: int(), renewalInvited: chance(0.5)))
        case 2:
            return .cancelUnicastTransmission(
                CancelUnicastTransmissionTLV(messageType: type, maintainRequest: chance(0.5), maintainGrant: chance(0.5)))
        default:
            return .acknowledgeCancelUnicastTransmission(
                CancelUnicastTransmissionTLV(messageType: type, maintainRequest: chance(0.5), maintainGrant: chance(0.5)))
        }
    }

    mutating func message(_ type: MessageType) -> PTPMessage {
        let h = header(type)
        var tlvs: [TLV] = []
        let body: MessageBody
        switch type {
        case .sync: body = .sync(OriginTimestampBody(originTimestamp: timestamp()))
        case .delayReq: body = .delayReq(OriginTimestampBody(originTimestamp: timestamp()))
        case .followUp: body = .followUp(FollowUpBody(preciseOriginTimestamp: timestamp()))
        case .delayResp: body = .delayResp(DelayRespBody(receiveTimestamp: timestamp(), requestingPortIdentity: port()))
        case .pdelayReq: body = .pdelayReq(PdelayReqBody(originTimestamp: timestamp()))
        case .pdelayResp: body = .pdelayResp(PdelayResponseBody(timestamp: timestamp(), requestingPortIdentity: port()))
        case .pdelayRespFollowUp:
            body = .pdelayRespFollowUp(PdelayResponseBody(timestamp: timestamp(), requestingPortIdentity: port()))
        case .announce:
            body = .announce(
                AnnounceBody(
                    originTimestamp: timestamp(), currentUtcOffset: int(), grandmasterPriority1: int(),
                    grandmasterClockQuality: ClockQuality(
                        clockClass: int(), clockAccuracy: ClockAccuracy(rawValue: int()), offsetScaledLogVariance: int()),
                    grandmasterPriority2: int(), grandmasterIdentity: ClockIdentity(rawValue: int()), stepsRemoved: int(),
                    timeSource: TimeSource(rawValue: int())))
        case .signaling:
            body = .signaling(SignalingBody(targetPortIdentity: port()))
            tlvs = (0..<Int.random(in: 1...3, using: &rng)).map { _ in signalingTLV() }
        case .management:
            body = .management(
                ManagementBody(
                    targetPortIdentity: chance(0.5) ? .all : port(), startingBoundaryHops: int(), boundaryHops: int(),
                    action: ManagementAction.allCases.randomElement(using: &rng) ?? .get))
            let id = ManagementID.known.randomElement(using: &rng) ?? .nullManagement
            if chance(0.3) {
                tlvs = [
                    .managementErrorStatus(
                        ManagementErrorStatusTLV(
                            managementErrorId: ManagementErrorID(rawValue: UInt16.random(in: 1...7, using: &rng)),
                            managementId: id, displayData: chance(0.5) ? text() : nil))
                ]
            } else {
                tlvs = [.management(ManagementTLV(managementId: id, data: tsharkSafe ? [] : evenBytes(upTo: 40)))]
            }
        }
        if type != .signaling && type != .management && !tsharkSafe && chance(0.3) {
            tlvs = (0..<Int.random(in: 1...3, using: &rng)).map { _ in suffixTLV() }
        }
        return PTPMessage(header: h, body: body, tlvs: tlvs)
    }

    mutating func anyMessage() -> PTPMessage {
        message(MessageType.allCases.randomElement(using: &rng) ?? .sync)
    }
}
