import Glibc
import PTPCore
import PTPManagement
import PTPWire

/// Generated seeds, to go with those `scripts/fuzz-seeds.py` extracts from linuxptp's captures and stock
/// configurations: a management request for every ID Meridian knows, GET and (with the data of the GET's
/// answer) SET and COMMAND, and a message carrying each TLV type the codec decodes.
public enum Seeds {
    static let pmc = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x0011_22FF_FE00_0001), portNumber: 0x1234)

    static func request(_ action: ManagementAction, _ id: ManagementID, data: [UInt8], sequenceId: UInt16) -> PTPMessage {
        let header = PTPHeader(
            messageType: .management, sourcePortIdentity: pmc, sequenceId: sequenceId, logMessageInterval: 0x7F,
            minorVersionPTP: 0)
        let body = ManagementBody(targetPortIdentity: .all, startingBoundaryHops: 1, boundaryHops: 1, action: action)
        return PTPMessage(
            header: header, body: .management(body), tlvs: [.management(ManagementTLV(managementId: id, data: data))])
    }

    /// Management requests, encoded.
    public static func management() -> [[UInt8]] {
        var out: [[UInt8]] = []
        var sequence: UInt16 = 1
        for id in ManagementID.known + [.meridianStatusNP] {
            let get = request(.get, id, data: [], sequenceId: sequence)
            sequence &+= 1
            out.append(get.encoded())
            var data: [UInt8] = []
            let decision = FuzzTarget.dispatcher.handle(
                get, snapshot: FuzzTarget.snapshot, requester: ManagementRequester(privilege: .localReadWrite))
            if case .reply(let replies) = decision, let reply = replies.first, case .management(let tlv) = reply.tlvs.first {
                data = tlv.data
            }
            for action in [ManagementAction.set, .command] {
                out.append(request(action, id, data: data, sequenceId: sequence).encoded())
                sequence &+= 1
            }
        }
        return out
    }

    /// A signaling message with each TLV type, and an Announce with the path trace and alternate time offset TLVs.
    public static func wire() -> [[UInt8]] {
        let source = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x0011_22FF_FE00_0002), portNumber: 1)
        let tlvs: [TLV] = [
            .requestUnicastTransmission(UnicastTransmissionTLV(messageType: 0xB, logInterMessagePeriod: 1, duration: 300)),
            .grantUnicastTransmission(
                UnicastTransmissionTLV(messageType: 0, logInterMessagePeriod: -3, duration: 60, renewalInvited: true)),
            .cancelUnicastTransmission(CancelUnicastTransmissionTLV(messageType: 9)),
            .acknowledgeCancelUnicastTransmission(CancelUnicastTransmissionTLV(messageType: 9)),
            .organizationExtension(
                OrganizationExtensionTLV(organizationId: 0x0080C2, organizationSubType: 1, dataField: [1, 2, 3, 4])),
            .pathTrace([source.clockIdentity, ClockIdentity(rawValue: 7)]),
            .alternateTimeOffsetIndicator(
                AlternateTimeOffsetIndicatorTLV(
                    keyField: 1, currentOffset: -3600, jumpSeconds: 3600, timeOfNextJump: 1, displayName: "CET")),
            .unknown(type: TLVType(rawValue: 0x7FFF), value: [0, 1]),
        ]
        var out: [[UInt8]] = []
        for (index, tlv) in tlvs.enumerated() {
            let header = PTPHeader(messageType: .signaling, sourcePortIdentity: source, sequenceId: UInt16(index))
            out.append(
                PTPMessage(header: header, body: .signaling(SignalingBody(targetPortIdentity: .all)), tlvs: [tlv]).encoded())
        }
        out += management()
        return out
    }

    /// Writes `wire/` and `management/` seeds under `directory` (which must exist).
    public static func write(to directory: String) -> Bool {
        var ok = true
        for (name, seeds) in [("wire", wire()), ("management", management().map { [0] + $0 })] {
            let folder = directory + "/" + name
            mkdir(folder, 0o755)
            for (index, seed) in seeds.enumerated() {
                ok = writeFile(folder + "/generated-\(index)", seed) && ok
            }
        }
        return ok
    }
}

/// The bytes of a file, or nil.
public func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if count == 0 { break }
        bytes += buffer[0..<count]
    }
    return bytes
}

func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
    guard let file = fopen(path, "wb") else { return false }
    defer { fclose(file) }
    return bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) } == bytes.count
}
