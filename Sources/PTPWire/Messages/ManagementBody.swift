import PTPCore

/// actionField of a management message (IEEE 1588-2019 15.4.1.6, table 57). Closed.
public enum ManagementAction: UInt8, Sendable, Hashable, CaseIterable {
    case get = 0
    case set = 1
    case response = 2
    case command = 3
    case acknowledge = 4
}

extension ManagementAction: CustomStringConvertible {
    /// The words pmc prints.
    public var description: String {
        switch self {
        case .get: "GET"
        case .set: "SET"
        case .response: "RESPONSE"
        case .command: "COMMAND"
        case .acknowledge: "ACKNOWLEDGE"
        }
    }
}

/// Management message fields after the header (15.4.1, table 56); the TLVs follow in the message.
public struct ManagementBody: Sendable, Hashable {
    public var targetPortIdentity: PortIdentity
    public var startingBoundaryHops: UInt8
    public var boundaryHops: UInt8
    public var action: ManagementAction

    public init(
        targetPortIdentity: PortIdentity, startingBoundaryHops: UInt8, boundaryHops: UInt8, action: ManagementAction
    ) {
        self.targetPortIdentity = targetPortIdentity
        self.startingBoundaryHops = startingBoundaryHops
        self.boundaryHops = boundaryHops
        self.action = action
    }

    static func decode(from reader: inout WireReader) throws(WireError) -> Self {
        let target = try reader.readPortIdentity("targetPortIdentity")
        let starting = try reader.readUInt8("startingBoundaryHops")
        let hops = try reader.readUInt8("boundaryHops")
        let actionOffset = reader.offset
        let actionByte = try reader.readUInt8("actionField")
        guard let action = ManagementAction(rawValue: actionByte & 0x0F) else {
            throw .invalidValue(field: "actionField", offset: actionOffset, value: UInt64(actionByte & 0x0F))
        }
        try reader.skip(1, "reserved")
        return Self(targetPortIdentity: target, startingBoundaryHops: starting, boundaryHops: hops, action: action)
    }

    func encode(into writer: inout WireWriter) {
        writer.write(targetPortIdentity)
        writer.write(startingBoundaryHops)
        writer.write(boundaryHops)
        writer.write(action.rawValue)
        writer.write(UInt8(0))
    }
}

/// Signaling message fields after the header (13.12, table 51): the target; TLVs follow.
public struct SignalingBody: Sendable, Hashable {
    public var targetPortIdentity: PortIdentity

    public init(targetPortIdentity: PortIdentity) {
        self.targetPortIdentity = targetPortIdentity
    }
}
