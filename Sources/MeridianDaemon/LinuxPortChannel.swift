import LinuxPlatform
import PTPCore

/// A port on a real interface: its transport (UDPv4, UDPv6 or IEEE 802.3) and the ptp4l-style I/O thread
/// that both sends and receives (``PortIOThread``: no thread sleeps on the socket while a message is
/// transmitted). The thread hands each event straight to ``inputs``; nothing else sits between the socket
/// and the clock actor.
final class LinuxPortChannel: PortChannel {
    let inputs: AsyncStream<PortInput>
    let macAddress: [UInt8]
    let protocolAddress: PortAddress
    private let transport: any PTPTransport
    private let io: PortIOThread

    init(settings: DaemonSettings.Port) throws {
        transport = try TransportFactory.open(settings.networkProtocol, configuration: settings.transport)
        let nic = transport.interface
        macAddress = nic.macAddress
        protocolAddress =
            switch settings.networkProtocol {
            case .udpIPv4: PortAddress(networkProtocol: .udpIPv4, address: nic.ipv4Addresses.first ?? [])
            case .udpIPv6: PortAddress(networkProtocol: .udpIPv6, address: nic.ipv6Addresses.first ?? [])
            default: PortAddress(networkProtocol: .ieee802_3, address: nic.macAddress)
            }
        // Link and transmit-stamp events are few and must not be lost to a burst of received packets, so
        // the stream is generous; what it still drops is the oldest input.
        let (stream, continuation) = AsyncStream<PortInput>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        inputs = stream
        let sink = PortIOThread.Sink(
            yield: { event in
                if let input = Self.input(event) { continuation.yield(input) }
            },
            finish: { continuation.finish() })
        do {
            io = try PortIOThread(transport: transport, sink: sink)
        } catch {
            transport.close()
            throw error
        }
    }

    func send(_ bytes: [UInt8], event: Bool, peerDelay: Bool, id: UInt64, wantsTimestamp: Bool) {
        io.send(
            bytes, channel: event ? .event : .general, to: peerDelay ? .peerDelayMulticast : .primaryMulticast,
            id: id, wantsTimestamp: wantsTimestamp)
    }

    func close() {
        io.stop()
        transport.close()
    }

    private static func input(_ event: PortIOEvent) -> PortInput? {
        switch event {
        case .transport(.message(let message)):
            return .message(bytes: message.bytes, timestamp: message.timestamp, isEvent: message.channel == .event)
        case .transport(.link(let change)):
            return .link(up: change.isUp)
        case .transmitted(let id, .stamped(let instant)):
            return .transmitted(id: id, instant)
        case .transmitted(let id, let outcome):
            if case .fault = outcome { return .transmitMissed(id: id, reason: "\(outcome)", fault: true) }
            return .transmitMissed(id: id, reason: "\(outcome)", fault: false)
        case .sendFailed(let id, let error):
            return .sendFailed(id: id, reason: "\(error)")
        }
    }
}
