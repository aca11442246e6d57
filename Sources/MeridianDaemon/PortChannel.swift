import LinuxPlatform
import PTPCore

/// What a port's I/O reports to its clock: a received message with the transport's timestamp, a link
/// change, the transmit stamp of an event message, or the end of the I/O.
///
/// Timestamps are the transport's (`CLOCK_REALTIME` for software stamps, the PHC for hardware ones); the
/// clock actor converts them into the disciplined clock's time (``ClockSource/convert(_:)``).
enum PortInput: Sendable {
    /// A message: its bytes, its receive stamp (nil when the kernel gave none), and whether it came on
    /// the event channel (port 319 or an event messageType on IEEE 802.3).
    case message(bytes: [UInt8], timestamp: PTPInstant?, isEvent: Bool, source: PortAddress? = nil)
    case link(up: Bool)
    /// The transmit stamp of the message sent with `id`.
    case transmitted(id: UInt64, PTPInstant)
    /// No transmit stamp came for `id` in time; `fault` when too many in a row did (the port goes FAULTY).
    case transmitMissed(id: UInt64, reason: String, fault: Bool)
    /// Sending `id` failed; the message was not sent.
    case sendFailed(id: UInt64, reason: String)
    /// A message the port's filters dropped (``SourceFilter``), with its first byte (the messageType) so it is
    /// counted with the rest of what the port read.
    case filtered(SourceFilter.Reason, firstByte: UInt8)
}

/// One port's I/O as the clock actor uses it: its inputs and a non-blocking send. The daemon opens
/// ``LinuxPortChannel``s (a socket per transport, polled by the clock's ``ClockLoop``); tests inject
/// in-memory channels that deliver through ``inputs`` via ``DaemonFactories``, so the daemon's logic runs
/// without sockets.
protocol PortChannel: Sendable {
    /// Everything the port receives, in order; it ends when the I/O stops (shut down or a fatal error).
    var inputs: AsyncStream<PortInput> { get }
    /// The interface's MAC address (the clock identity comes from the first port's).
    var macAddress: [UInt8] { get }
    /// The port's address on its transport (CLOCK_DESCRIPTION's protocolAddress).
    var protocolAddress: PortAddress { get }
    /// Queues one message. `peerDelay` sends to the peer-delay address (01-80-C2-00-00-0E, 224.0.0.107,
    /// FF02::6B), otherwise to the primary one. When `wantsTimestamp`, the transmit stamp comes back as
    /// ``PortInput/transmitted(id:_:)`` (or a miss) with this `id`.
    func send(_ bytes: [UInt8], event: Bool, peerDelay: Bool, id: UInt64, wantsTimestamp: Bool)
    /// Queues one message to one peer (unicast negotiation, IEEE 1588-2019 16.1), as ``send(_:event:peerDelay:id:wantsTimestamp:)``.
    func send(_ bytes: [UInt8], event: Bool, to destination: PortAddress, id: UInt64, wantsTimestamp: Bool)
    /// Stops the I/O and closes the sockets; ``inputs`` ends.
    func close()
    /// Hands the port to its clock's loop. A port whose sockets the loop polls itself (``LinuxPortChannel``)
    /// registers them and returns true: its inputs then come from the loop, and ``inputs`` is not read. A
    /// port that delivers through ``inputs`` (the test seam's) returns false.
    func attach(to loop: ClockLoop, port index: Int) -> Bool
}

extension PortChannel {
    /// A channel with no addresses (the test seam's back-to-back wire) delivers a unicast message as it
    /// delivers every other: to the one peer on its wire.
    func send(_ bytes: [UInt8], event: Bool, to destination: PortAddress, id: UInt64, wantsTimestamp: Bool) {
        send(bytes, event: event, peerDelay: false, id: id, wantsTimestamp: wantsTimestamp)
    }
}

/// Where the daemon gets its clock, its ports and its requests to re-read the configuration: the real ones
/// (``linux``: SIGHUP), or a test's.
struct DaemonFactories: Sendable {
    var openClock: @Sendable (DaemonSettings) throws -> ClockSource
    var openPort: @Sendable (_ index: Int, _ settings: DaemonSettings.Port) throws -> any PortChannel
    /// One element per request to re-read the configuration (SIGHUP); called once, when the service starts.
    var reloadRequests: @Sendable () async -> AsyncStream<Void>
    /// The clock `system_clock_follower realtime` steers: `CLOCK_REALTIME` itself, steering allowed (it needs
    /// `CAP_SYS_TIME`). The seam's tests give a clock that reads `CLOCK_REALTIME` and only records what it is
    /// told, so the daemon's realtime follower runs whole while no test ever steers the host's clock.
    var openRealtimeFollower: @Sendable () throws -> any PTPClock = { try SystemClock(steering: .allowed) }

    init(
        openClock: @escaping @Sendable (DaemonSettings) throws -> ClockSource,
        openPort: @escaping @Sendable (_ index: Int, _ settings: DaemonSettings.Port) throws -> any PortChannel,
        reloadRequests: @escaping @Sendable () async -> AsyncStream<Void> = DaemonFactories.hangups
    ) {
        self.openClock = openClock
        self.openPort = openPort
        self.reloadRequests = reloadRequests
    }
}
