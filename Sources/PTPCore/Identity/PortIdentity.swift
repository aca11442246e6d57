/// A port's identity: its clock's identity and a port number (IEEE 1588-2019 7.5.2).
public struct PortIdentity: Sendable, Hashable, Comparable {
    public var clockIdentity: ClockIdentity
    public var portNumber: UInt16

    @inlinable
    public init(clockIdentity: ClockIdentity, portNumber: UInt16) {
        self.clockIdentity = clockIdentity
        self.portNumber = portNumber
    }

    public static let zero = PortIdentity(clockIdentity: .zero, portNumber: 0)

    /// The wildcard that addresses every port of every clock (15.3.1).
    public static let all = PortIdentity(clockIdentity: .all, portNumber: 0xFFFF)

    /// True when `self`, used as a target, addresses `port`: equal, or wildcards in either field.
    public func matches(_ port: PortIdentity) -> Bool {
        (clockIdentity == .all || clockIdentity == port.clockIdentity)
            && (portNumber == 0xFFFF || portNumber == port.portNumber)
    }

    /// Lexicographic order: clock identity, then port number, as the BMCA tie-breaks need (9.3.4).
    @inlinable
    public static func < (lhs: PortIdentity, rhs: PortIdentity) -> Bool {
        (lhs.clockIdentity, lhs.portNumber) < (rhs.clockIdentity, rhs.portNumber)
    }
}

extension PortIdentity: CustomStringConvertible {
    /// linuxptp's spelling: `769927.fffe.71c27a-1`.
    public var description: String {
        "\(clockIdentity)-\(portNumber)"
    }

    /// Parses linuxptp's spelling; nil when it is not that shape.
    public init?(_ text: some StringProtocol) {
        guard let dash = text.lastIndex(of: "-"),
            let clock = ClockIdentity(text[text.startIndex..<dash]),
            let number = UInt16(text[text.index(after: dash)...])
        else { return nil }
        self.init(clockIdentity: clock, portNumber: number)
    }
}
