/// messageType (IEEE 1588-2019 13.3.2.2, table 36). Closed: an unknown value is a decode error.
public enum MessageType: UInt8, Sendable, Hashable, CaseIterable {
    case sync = 0x0
    case delayReq = 0x1
    case pdelayReq = 0x2
    case pdelayResp = 0x3
    case followUp = 0x8
    case delayResp = 0x9
    case pdelayRespFollowUp = 0xA
    case announce = 0xB
    case signaling = 0xC
    case management = 0xD

    /// Event messages are timestamped on transmission and reception (7.3.7).
    public var isEvent: Bool {
        rawValue < 0x8
    }

    /// The fixed length of header plus body, before any TLV (13.4–13.13).
    public var baseLength: Int {
        switch self {
        case .sync, .delayReq, .followUp: 44
        case .delayResp, .pdelayReq, .pdelayResp, .pdelayRespFollowUp: 54
        case .announce: 64
        case .signaling: 44
        case .management: 48
        }
    }

    /// The controlField value for this type (13.3.2.13, table 42), kept for version 1 hardware.
    public var controlField: UInt8 {
        switch self {
        case .sync: 0x00
        case .delayReq: 0x01
        case .followUp: 0x02
        case .delayResp: 0x03
        case .management: 0x04
        default: 0x05
        }
    }
}

extension MessageType: CustomStringConvertible {
    public var description: String {
        switch self {
        case .sync: "Sync"
        case .delayReq: "Delay_Req"
        case .pdelayReq: "Pdelay_Req"
        case .pdelayResp: "Pdelay_Resp"
        case .followUp: "Follow_Up"
        case .delayResp: "Delay_Resp"
        case .pdelayRespFollowUp: "Pdelay_Resp_Follow_Up"
        case .announce: "Announce"
        case .signaling: "Signaling"
        case .management: "Management"
        }
    }
}
