import PTPCore
import PTPEngine
import PTPWire
import Testing

@testable import PTPSimulation

/// A transmit time stamp is handed to the sending port's engine as soon as the event that sent the message is
/// done (``SimulationCore/carryTransmits()``), with what that engine then sends timed the clock's transmit stamp
/// delay past the send, as when the stamp was an event of its own.
@Suite struct TransmitStampTests {
    @Test func theFollowUpLeavesTheTransmitStampDelayAfterItsSync() {
        var network = NetworkDescription()
        var master = Scenarios.grandmaster(1, logSync: -3)
        master.transmitTimestampDelay = .microseconds(7)
        let g = network.addClock(master)
        let s = network.addClock(Scenarios.slave(2, logSync: -3))
        let link = PTPDuration.microseconds(3)
        network.connect([g, s], model: LinkModel(delay: link))
        var core = SimulationCore(network: network, seed: 5, start: PTPInstant(seconds: 1_700_000_000))
        // Per Sync the master sent: when its timer fired, and when the Sync and its Follow_Up reached the slave.
        var syncTimers: [PTPInstant] = []
        var arrivals: [(type: MessageType, time: PTPInstant)] = []
        var events = 0
        while events < 20_000, syncTimers.count < 40, let (time, event) = core.queue.pop() {
            events += 1
            core.now = time
            switch event {
            case .timer(let c, _, .sync, _) where Int(c) == g && core.nodes[g].instance.ports[0].state == .master:
                syncTimers.append(time)
            case .deliver(let c, _, let frame) where Int(c) == s:
                if let type = core.frames.bytes(of: frame).first.flatMap({ MessageType(rawValue: $0 & 0x0F) }),
                    type == .sync || type == .followUp
                {
                    arrivals.append((type, time))
                }
            default:
                break
            }
            core.process(event)
        }
        #expect(syncTimers.count == 40)
        // Each Sync reaches the slave a link delay after its timer, and its Follow_Up the 7-µs stamp delay later.
        let syncs = arrivals.filter { $0.type == .sync }.map(\.time)
        let followUps = arrivals.filter { $0.type == .followUp }.map(\.time)
        let sent = syncTimers.dropLast()  // the last one's messages may still be on the wire
        #expect(sent.allSatisfy { syncs.contains($0 + link) })
        #expect(sent.allSatisfy { followUps.contains($0 + .microseconds(7) + link) })
        #expect(followUps.count >= sent.count)
    }
}
