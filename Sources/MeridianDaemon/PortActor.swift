import LinuxPlatform
import Logging
import PTPCore
import PTPEngine
import PTPWire
import Synchronization

/// One port's I/O: its transport and the ptp4l-style I/O thread that both sends and receives
/// (``PortIOThread``: no thread sleeps on the socket while a message is transmitted). Everything it
/// receives goes to the ``InstanceActor`` with the kernel's timestamp converted to the disciplined
/// clock's time, so scheduling delay between the socket and the actor does not enter any measurement.
actor PortActor {
    let index: Int
    let interface: String
    nonisolated let transport: any PTPTransport
    private let io: PortIOThread
    private let clock: ClockSource
    private let logger: Logger
    private weak var instance: InstanceActor?
    /// Engine tokens of the event messages whose transmit stamps are awaited, by send id.
    private let pending = Mutex<(next: UInt64, tokens: [UInt64: PTPEngine.TransmitToken])>((1, [:]))
    private(set) var received = 0
    private(set) var missingTimestamps = 0
    /// Messages received and sent, by messageType (PORT_STATS_NP's rxMsgType / txMsgType).
    private let counts = Mutex<(received: [UInt64], sent: [UInt64])>(
        (Array(repeating: 0, count: 16), Array(repeating: 0, count: 16)))

    /// The per-type counters for management.
    nonisolated var messageCounts: (received: [UInt64], sent: [UInt64]) { counts.withLock { $0 } }
    /// PORT_DATA_SET_NP's configured half: neighborPropDelayThresh (ns; SET PORT_DATA_SET_NP changes
    /// it), and `asCapable true`.
    private nonisolated let threshold: Atomic<UInt32>
    nonisolated let alwaysASCapable: Bool
    nonisolated var neighborPropDelayThresh: UInt32 { threshold.load(ordering: .relaxed) }

    nonisolated func setNeighborPropDelayThresh(_ nanoseconds: UInt32) {
        threshold.store(nanoseconds, ordering: .relaxed)
    }
    /// CLOCK_DESCRIPTION as this port describes the clock, as ptp4l fills it from its transport
    /// (`transport_physical_addr`, `transport_protocol_addr`): the interface's MAC, and the port's
    /// address on its transport (IPv4, IPv6, or the MAC for IEEE 802.3).
    nonisolated let physicalAddress: [UInt8]
    nonisolated let protocolAddress: PortAddress

    init(index: Int, settings: DaemonSettings.Port, clock: ClockSource, logger: Logger) throws {
        self.index = index
        self.interface = settings.interface
        self.threshold = Atomic(settings.neighborPropDelayThresh)
        self.alwaysASCapable = settings.alwaysASCapable
        self.clock = clock
        self.logger = logger
        transport = try TransportFactory.open(settings.networkProtocol, configuration: settings.transport)
        let nic = transport.interface
        physicalAddress = nic.macAddress
        protocolAddress = switch settings.networkProtocol {
        case .udpIPv4: PortAddress(networkProtocol: .udpIPv4, address: nic.ipv4Addresses.first ?? [])
        case .udpIPv6: PortAddress(networkProtocol: .udpIPv6, address: nic.ipv6Addresses.first ?? [])
        default: PortAddress(networkProtocol: .ieee802_3, address: nic.macAddress)
        }
        do {
            io = try PortIOThread(transport: transport)
        } catch {
            transport.close()
            throw error
        }
    }

    func attach(_ instance: InstanceActor) {
        self.instance = instance
    }

    /// Management messages that arrive on this port go here (15.3); the replies go back out of it.
    private var management: (@Sendable ([UInt8], UInt16) async -> [[UInt8]])?

    func attachManagement(_ handler: @escaping @Sendable ([UInt8], UInt16) async -> [[UInt8]]) {
        management = handler
    }

    /// Runs until the I/O thread stops (``shutDown()`` or a fatal socket error).
    func run() async {
        for await event in io.events {
            guard let instance else { continue }
            switch event {
            case .transport(.message(let message)):
                received += 1
                if let first = message.bytes.first { counts.withLock { $0.received[Int(first & 0x0F)] &+= 1 } }
                if message.bytes.first.map({ $0 & 0x0F == 0x0D }) == true {
                    if let management {
                        for reply in await management(message.bytes, UInt16(index + 1)) {
                            io.send(reply, channel: .general, to: .primaryMulticast, id: 0, wantsTimestamp: false)
                        }
                    }
                    continue
                }
                if message.timestamp == nil && message.channel == .event {
                    missingTimestamps += 1
                    logger.warning("port \(index + 1): event message without a receive timestamp dropped")
                    continue
                }
                // One hop: the instance turns the kernel stamp into engine time (general messages carry
                // none; the engine only needs "now" for them).
                await instance.received(port: index, bytes: message.bytes, kernelTimestamp: message.timestamp)
            case .transport(.link(let change)):
                await instance.link(port: index, up: change.isUp)
            case .transmitted(let id, let outcome):
                guard let token = pending.withLock({ $0.tokens.removeValue(forKey: id) }) else { continue }
                switch outcome {
                case .stamped(let instant):
                    await instance.transmitted(port: index, token: token, kernelTimestamp: instant)
                case .missed:
                    missingTimestamps += 1
                    logger.warning("port \(index + 1): \(outcome)")
                case .fault:
                    missingTimestamps += 1
                    await instance.fault(port: index, reason: "\(outcome)")
                }
            case .sendFailed(let id, let error):
                _ = pending.withLock { $0.tokens.removeValue(forKey: id) }
                logger.warning("port \(index + 1) (\(interface)): send failed: \(error)")
            }
        }
    }

    /// Encodes one message and hands it to the I/O thread.
    nonisolated func send(_ outgoing: OutgoingMessage) {
        let bytes = outgoing.message.encoded()
        let type = outgoing.message.messageType
        let destination: TransportDestination =
            type == .pdelayReq || type == .pdelayResp || type == .pdelayRespFollowUp ? .peerDelayMulticast : .primaryMulticast
        let id = pending.withLock { state -> UInt64 in
            let id = state.next
            state.next &+= 1
            if let token = outgoing.token {
                state.tokens[id] = token
                // Bounded: stamps that never came back (a closed port) are forgotten.
                if state.tokens.count > 1024, let oldest = state.tokens.keys.min() { state.tokens.removeValue(forKey: oldest) }
            }
            return id
        }
        counts.withLock { $0.sent[Int(type.rawValue & 0x0F)] &+= 1 }
        io.send(bytes, channel: outgoing.isEvent ? .event : .general, to: destination, id: id, wantsTimestamp: outgoing.token != nil)
    }

    /// Stops the I/O thread, then closes the sockets.
    func shutDown() {
        io.stop()
        transport.close()
    }
}
