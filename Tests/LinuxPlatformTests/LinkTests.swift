import Glibc
import LinuxPlatform
import PTPCore
import Testing

/// The socket layer reports an interface going down and coming back (ports go FAULTY and recover).
@Suite("Link down and up")
struct LinkTests {
    /// The next link event, skipping messages, bounded in time and count.
    func nextLinkEvent(_ transport: any PTPTransport, within: PTPDuration) throws -> LinkEvent? {
        let deadline = ContinuousClock.now + .nanoseconds(within.nanoseconds)
        for _ in 0..<1_000 where ContinuousClock.now < deadline {
            if case .link(let event) = try transport.nextEvent(timeout: .milliseconds(100)) {
                return event
            }
        }
        return nil
    }

    @Test("down then up is reported by every transport", arguments: TransportKind.allCases)
    func downThenUp(kind: TransportKind) throws {
        try withTransportPair(kind) { lab, a, b in
            #expect(a.isLinkUp)
            try lab.setLink(lab.a, up: false)
            let down = try #require(try nextLinkEvent(a, within: .milliseconds(3000)), "\(kind): no link-down event")
            #expect(!down.isUp)
            #expect(down.interfaceName == lab.a.interface)
            #expect(!a.isLinkUp)
            // The peer loses carrier too.
            let peerDown = try #require(try nextLinkEvent(b, within: .milliseconds(3000)), "\(kind): peer saw no carrier loss")
            #expect(!peerDown.isUp)

            try lab.setLink(lab.a, up: true)
            let up = try #require(try nextLinkEvent(a, within: .milliseconds(5000)), "\(kind): no link-up event")
            #expect(up.isUp)
            #expect(a.isLinkUp)
            // After recovery event messages flow and are stamped again.
            let peerUp = try #require(try nextLinkEvent(b, within: .milliseconds(5000)), "\(kind): peer saw no carrier return")
            #expect(peerUp.isUp)
        }
    }

    @Test("sending while the link is down fails with linkDown naming the interface", arguments: TransportKind.allCases)
    func sendWhileDown(kind: TransportKind) throws {
        try withTransportPair(kind) { lab, a, _ in
            try lab.setLink(lab.a, up: false)
            _ = try nextLinkEvent(a, within: .milliseconds(3000))
            #expect(throws: TransportError.linkDown(interface: lab.a.interface)) {
                try a.send(ptpMessage(type: 0, index: 1), channel: .event, to: .primaryMulticast)
            }
        }
    }
}

@Suite("Idle while the link is down")
struct LinkDownIdleTests {
    /// CPU time (user + system) of the calling thread.
    static func threadCPUTime() -> Duration {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
    }

    @Test("a socket error left by the link going down does not make the receive loop spin", arguments: TransportKind.allCases)
    func noSpin(kind: TransportKind) throws {
        try withTransportPair(kind) { lab, a, _ in
            let idleStart = Self.threadCPUTime()
            let idleClock = ContinuousClock.now
            while ContinuousClock.now - idleClock < .milliseconds(300) {
                _ = try a.nextEvent(timeout: .milliseconds(100))
            }
            let idle = Self.threadCPUTime() - idleStart
            #expect(idle < .milliseconds(60), "\(kind): \(idle) of CPU in 300 ms idle with the link up")
            try lab.setLink(lab.a, up: false)
            // Consume the link-down event, then wait idle.
            for _ in 0..<50 {
                if case .link = try a.nextEvent(timeout: .milliseconds(100)) { break }
            }
            let before = Self.threadCPUTime()
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .milliseconds(400) {
                _ = try a.nextEvent(timeout: .milliseconds(100))
            }
            let used = Self.threadCPUTime() - before
            #expect(used < .milliseconds(100), "\(kind): \(used) of CPU in 400 ms of waiting")
        }
    }
}
