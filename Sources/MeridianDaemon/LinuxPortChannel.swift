import LinuxPlatform
import PTPCore
import Synchronization

/// A port on a real interface: its transport (UDPv4, UDPv6 or IEEE 802.3), polled by its clock's
/// ``ClockLoop`` on the loop's own thread, as ptp4l polls its ports: received messages and link changes are
/// read there, and sends go out there (the clock actor runs on that thread), an event message's transmit
/// stamp read from the error queue right after it is sent. No other thread sleeps on the socket while it
/// transmits, so the stamp's wake-up costs no inter-processor interrupt between stamp and wire.
final class LinuxPortChannel: PortChannel, PolledPort {
    /// Unused: the loop delivers this port's inputs (``attach(to:port:)``).
    let inputs: AsyncStream<PortInput> = AsyncStream { $0.finish() }
    let macAddress: [UInt8]
    let protocolAddress: PortAddress
    let pollDescriptors: [Int32]
    private let transport: any PTPTransport
    private let filter: SourceFilter
    private struct Attachment {
        var loop: ClockLoop?
        var index = 0
    }
    private let attachment = Mutex(Attachment())

    init(settings: DaemonSettings.Port) throws {
        transport = try TransportFactory.open(settings.networkProtocol, configuration: settings.transport)
        filter = settings.sourceFilter
        let nic = transport.interface
        macAddress = nic.macAddress
        pollDescriptors = transport.pollDescriptors
        protocolAddress =
            switch settings.networkProtocol {
            case .udpIPv4: PortAddress(networkProtocol: .udpIPv4, address: nic.ipv4Addresses.first ?? [])
            case .udpIPv6: PortAddress(networkProtocol: .udpIPv6, address: nic.ipv6Addresses.first ?? [])
            default: PortAddress(networkProtocol: .ieee802_3, address: nic.macAddress)
            }
    }

    func attach(to loop: ClockLoop, port index: Int) -> Bool {
        attachment.withLock {
            $0.loop = loop
            $0.index = index
        }
        loop.add(self, index: index)
        return true
    }

    /// Sends on the calling thread, the loop's (the clock actor calls it); for an event message whose stamp is
    /// wanted, waits for the stamp (at most `tx_timestamp_timeout`) and posts it to the loop, which hands it to
    /// the clock once the current pass is done.
    func send(_ bytes: [UInt8], event: Bool, peerDelay: Bool, id: UInt64, wantsTimestamp: Bool) {
        send(
            bytes, event: event, destination: peerDelay ? .peerDelayMulticast : .primaryMulticast, id: id,
            wantsTimestamp: wantsTimestamp)
    }

    /// One peer: a granted unicast client or master (16.1).
    func send(_ bytes: [UInt8], event: Bool, to destination: PortAddress, id: UInt64, wantsTimestamp: Bool) {
        send(bytes, event: event, destination: .unicast(destination), id: id, wantsTimestamp: wantsTimestamp)
    }

    private func send(_ bytes: [UInt8], event: Bool, destination: TransportDestination, id: UInt64, wantsTimestamp: Bool) {
        let (loop, index) = attachment.withLock { ($0.loop, $0.index) }
        let result = Result { () throws(TransportError) in
            try transport.send(bytes, channel: event ? .event : .general, to: destination)
        }
        switch result {
        case .failure(let error):
            loop?.post(.input(port: index, .sendFailed(id: id, reason: "\(error)")))
        case .success(let token):
            guard let token, wantsTimestamp else { return }
            loop?.post(.input(port: index, Self.input(id: id, transport.transmitTimestamp(for: token))))
        }
    }

    /// Reads what the loop's poll found on one of its descriptors: one message or link change (see
    /// ``PTPTransport/readReady(descriptorIndex:revents:)``), or nothing when only stamps came.
    func readReady(descriptorIndex: Int, revents: Int16, _ deliver: (PortInput) -> Void) -> Result<Void, PortIOFailure> {
        let read = Result { () throws(TransportError) in
            try transport.readReady(descriptorIndex: descriptorIndex, revents: revents)
        }
        switch read {
        case .success(let event?):
            if !filter.isEmpty, case .message(let message) = event,
                let reason = filter.verdict(source: message.source.address, bytes: message.bytes)
            {
                deliver(.filtered(reason, firstByte: message.bytes.first ?? 0))
            } else {
                deliver(Self.input(event))
            }
            return .success(())
        case .success(nil):
            return .success(())
        case .failure(let error):
            return .failure(PortIOFailure(reason: "\(error)"))
        }
    }

    func close() {
        transport.close()
    }

    private static func input(_ event: TransportEvent) -> PortInput {
        switch event {
        case .message(let message):
            return .message(
                bytes: message.bytes, timestamp: message.timestamp, isEvent: message.channel == .event,
                source: message.source)
        case .link(let change):
            return .link(up: change.isUp)
        }
    }

    private static func input(id: UInt64, _ outcome: TransmitTimestampOutcome) -> PortInput {
        switch outcome {
        case .stamped(let instant):
            return .transmitted(id: id, instant)
        case .fault:
            return .transmitMissed(id: id, reason: "\(outcome)", fault: true)
        case .missed:
            return .transmitMissed(id: id, reason: "\(outcome)", fault: false)
        }
    }
}
