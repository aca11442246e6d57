import Glibc
import LinuxPlatform
import PTPCore
import PTPManagement
import PTPWire

/// meridianctl's end of management, as pmc's (`pmc_common.c`): sourcePortIdentity (zero clock, our
/// pid), a running sequenceId, over a Unix socket or a PTP transport.
final class ManagementClient {
    let channel: any ManagementChannel
    let options: CtlOptions
    let sourcePort = UInt16(truncatingIfNeeded: getpid())
    var sequenceId: UInt16 = 0
    var target: PortIdentity = .all

    init(options: CtlOptions) throws {
        self.options = options
        switch options.transport {
        case .uds:
            channel = try UnixManagementChannel(options: options)
        case .udpIPv4, .udpIPv6, .ieee802_3:
            channel = try NetworkManagementChannel(options: options)
        }
    }

    deinit {
        channel.close()
    }

    /// Sends one request and returns every management message received until the replies stop: the
    /// first within the timeout, the rest while they keep coming (one per port for port IDs), like
    /// pmc's 100 ms wait for stragglers. `matching` are the replies to this request.
    func exchange(action: ManagementAction, id: ManagementID, data: ManagementData?) throws
        -> (all: [PTPMessage], matching: [PTPMessage])
    {
        let sequence = sequenceId
        sequenceId &+= 1
        let request = ManagementMessages.request(
            action: action, id: id, data: data, sequenceId: sequence, target: target, sourcePort: sourcePort,
            domainNumber: options.domainNumber, boundaryHops: options.boundaryHops,
            transportSpecific: options.transportSpecific & 0x0F)
        try channel.send(request.encoded())
        var all: [PTPMessage] = []
        var matching: [PTPMessage] = []
        var wait = options.timeoutMilliseconds
        var lastUseful = ContinuousClock.now
        while let bytes = try channel.receive(timeoutMilliseconds: wait) {
            // A network channel also sees other traffic: stop when nothing useful came for `wait`.
            if ContinuousClock.now - lastUseful > .milliseconds(Int64(wait)) { break }
            guard let message = try? PTPMessage.decode(bytes), case .management(let body) = message.body,
                body.action == .response || body.action == .acknowledge
            else { continue }
            all.append(message)
            // Only a reply to this request extends the wait: a subscriber's notifications (TIME_SYNC comes with
            // every Sync) would otherwise keep the exchange open for ever.
            if message.header.sequenceId == sequence, body.targetPortIdentity.portNumber == sourcePort {
                lastUseful = ContinuousClock.now
                matching.append(message)
                wait = 100
            }
        }
        return (all, matching)
    }

    /// The next management message within the timeout (notifications), or nil.
    func listen(timeoutMilliseconds: Int32) throws -> PTPMessage? {
        guard let bytes = try channel.receive(timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        return try? PTPMessage.decode(bytes)
    }
}
