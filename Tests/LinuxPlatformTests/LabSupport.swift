import LinuxPlatform
import MeridianLab
import PTPCore
import Testing

/// The three transports, for parameterised tests.
enum TransportKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case udpIPv4, udpIPv6, ethernet

    var description: String { rawValue }

    var networkProtocol: NetworkProtocol {
        switch self {
        case .udpIPv4: .udpIPv4
        case .udpIPv6: .udpIPv6
        case .ethernet: .ieee802_3
        }
    }

    func open(_ configuration: TransportConfiguration) throws -> any PTPTransport {
        let transport = try TransportFactory.open(networkProtocol, configuration: configuration)
        #expect(transport.networkProtocol == networkProtocol)
        return transport
    }

    func unicastAddress(of side: VethLab.Side, transport: any PTPTransport) -> PortAddress {
        switch self {
        case .udpIPv4: PortAddress(networkProtocol: .udpIPv4, address: side.ipv4)
        case .udpIPv6: PortAddress(networkProtocol: .udpIPv6, address: side.ipv6)
        case .ethernet: transport.localAddress
        }
    }
}

/// A PTP-shaped message: messageType in the low nibble, version 2, length, and `index` in the
/// sequenceId and the first body bytes, so each message of a burst is distinct.
func ptpMessage(type: UInt8, index: UInt32, length: Int = 44) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: length)
    bytes[0] = type
    bytes[1] = 2
    bytes[2] = UInt8(length >> 8)
    bytes[3] = UInt8(length & 0xFF)
    bytes[30] = UInt8(truncatingIfNeeded: index >> 8)
    bytes[31] = UInt8(truncatingIfNeeded: index)
    for i in 0..<4 {
        bytes[34 + i] = UInt8(truncatingIfNeeded: index >> (24 - 8 * UInt32(i)))
    }
    return bytes
}

/// The index `ptpMessage` put in a message.
func messageIndex(_ bytes: [UInt8]) -> UInt32? {
    guard bytes.count >= 38 else { return nil }
    return (34..<38).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[$1]) }
}

/// A lab and a transport of `kind` on each side; closes and removes everything after `body`, even on failure.
/// The kernel's receive stamping is confirmed on before the transports open (``ReceiveStampingGuard``), so the
/// first message of `body` is stamped as every later one is.
func withTransportPair<T>(
    _ kind: TransportKind, configure: (inout TransportConfiguration) -> Void = { _ in },
    _ body: (VethLab, any PTPTransport, any PTPTransport) throws -> T
) throws -> T {
    let stamping = ReceiveStampingGuard()
    defer { stamping.close() }
    let lab = try VethLab.create()
    defer { lab.remove() }
    var configA = TransportConfiguration(interfaceName: lab.a.interface)
    var configB = TransportConfiguration(interfaceName: lab.b.interface)
    configure(&configA)
    configure(&configB)
    let a = try NetworkNamespace.withNamespace(lab.a.namespace) { [configA] in try kind.open(configA) }
    defer { a.close() }
    let b = try NetworkNamespace.withNamespace(lab.b.namespace) { [configB] in try kind.open(configB) }
    defer { b.close() }
    return try body(lab, a, b)
}

/// Receives until a message satisfies `match`, at most `within` (bounded in time and count).
func receive(
    _ transport: any PTPTransport, within: PTPDuration = .milliseconds(2000), where match: (ReceivedMessage) -> Bool
) throws -> ReceivedMessage? {
    let deadline = ContinuousClock.now + .nanoseconds(within.nanoseconds)
    for _ in 0..<10_000 where ContinuousClock.now < deadline {
        if let message = try transport.receive(timeout: .milliseconds(100)), match(message) {
            return message
        }
    }
    return nil
}
