import Glibc
import PTPCore
import Synchronization
import Testing

@testable import MeridianDaemon

/// How the clock's loop sends what the clock queued (`ClockLoop.flushLater`, `PolledPort.flushSends`): once
/// after the event that queued it, and once after each round of the events those sends posted (their transmit
/// stamps), so that what one event sends leaves together. A port polled on a pipe stands for a socket.
@Suite struct ClockLoopFlushTests {
    /// A port whose descriptors are pipes' read ends: a byte written to a pipe is one received message. It
    /// records each flush's queued messages, and each flush posts one "stamp" per Sync it sent.
    final class PipePort: PolledPort, @unchecked Sendable {
        // Safety of @unchecked Sendable: `queued` is touched on the loop's thread only; `flushes` is locked.
        let pollDescriptors: [Int32]
        let writeEnds: [Int32]
        let loop: ClockLoop
        /// How many bytes (messages) one read takes at most, as a socket's `recvmmsg` does.
        let readLimit: Int
        var queued: [String] = []
        let flushes = Mutex<[[String]]>([])

        /// The pipe that stands for an event socket the loop may leave out of its poll.
        let deferrableDescriptorIndex: Int?

        init(loop: ClockLoop, pipes: Int = 1, readLimit: Int = 1, deferrable: Int? = nil) throws {
            var reads: [Int32] = []
            var writes: [Int32] = []
            for _ in 0..<pipes {
                var ends: [Int32] = [-1, -1]
                guard pipe(&ends) == 0 else { throw Failure("pipe") }
                _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
                reads.append(ends[0])
                writes.append(ends[1])
            }
            pollDescriptors = reads
            writeEnds = writes
            self.loop = loop
            self.readLimit = readLimit
            deferrableDescriptorIndex = deferrable
        }

        // The pipes are never closed: the loop may poll them until its next pass after `removePorts`, and a
        // closed descriptor's number could by then belong to another test's socket. Two or four per test.

        func readReady(descriptorIndex: Int, revents: Int16, _ deliver: (PortInput) -> Void) -> Result<Void, PortIOFailure> {
            var bytes = [UInt8](repeating: 0, count: readLimit)
            let n = read(pollDescriptors[descriptorIndex], &bytes, readLimit)
            for byte in bytes.prefix(max(0, n)) {
                deliver(.message(bytes: [byte], timestamp: nil, isEvent: false))
            }
            return .success(())
        }

        /// What the clock does when it sends: queue, and ask the loop for a flush with the first message.
        func send(_ name: String) {
            queued.append(name)
            if queued.count == 1 { loop.flushLater(self) }
        }

        func flushSends() {
            let sent = queued
            queued.removeAll()
            flushes.withLock { $0.append(sent) }
            for name in sent where name.hasPrefix("sync") {
                loop.post(.input(port: 0, .transmitted(id: 0, PTPInstant(seconds: 0))))
            }
        }
    }

    struct Failure: Error {
        var what: String
        init(_ what: String) { self.what = what }
    }

    @Test func whatOneEventQueuedLeavesTogetherAndSoDoesWhatItsStampsQueued() throws {
        let loop = try ClockLoop()
        let port = try PipePort(loop: loop)
        let handled = Mutex<[String]>([])
        let done = Atomic<Bool>(false)
        loop.setHandler { event in
            // On the loop's thread: a received message sends three Syncs (a unicast slot); each Sync's stamp
            // sends its Follow_Up.
            switch event {
            case .input(_, .message):
                handled.withLock { $0.append("message") }
                for i in 0..<3 { port.send("sync \(i)") }
            case .input(_, .transmitted):
                let n = handled.withLock {
                    $0.append("stamp")
                    return $0.filter { $0 == "stamp" }.count
                }
                port.send("follow-up \(n)")
                if n == 3 { done.store(true, ordering: .releasing) }
            default:
                break
            }
        }
        loop.add(port, index: 0)
        var byte: UInt8 = 1
        #expect(write(port.writeEnds[0], &byte, 1) == 1)
        // Bounded: at most 5 s.
        let deadline = ContinuousClock.now + .seconds(5)
        // The flush after the last stamp's round comes once that round is handled.
        while !(done.load(ordering: .acquiring) && port.flushes.withLock({ $0.count }) >= 2) && ContinuousClock.now < deadline {
            usleep(1_000)
        }
        loop.removePorts()
        let finished = done.load(ordering: .acquiring)
        #expect(finished, "the stamps were not all handled")
        #expect(handled.withLock { $0 } == ["message", "stamp", "stamp", "stamp"])
        // One flush with the three Syncs, then one with the three Follow_Ups their stamps queued.
        #expect(
            port.flushes.withLock { $0 } == [["sync 0", "sync 1", "sync 2"], ["follow-up 1", "follow-up 2", "follow-up 3"]])
    }

    /// Two messages ready in one poll (two descriptors): the answer the first one queued has left before the
    /// second is handled, as a Delay_Resp leaves before the loop reads the next Delay_Req.
    @Test func anEventsSendsLeaveBeforeTheNextEventOfThePass() throws {
        let loop = try ClockLoop()
        let port = try PipePort(loop: loop, pipes: 2)
        let flushedBeforeSecond = Mutex<[[String]]?>(nil)
        let done = Atomic<Bool>(false)
        loop.setHandler { event in
            guard case .input(_, .message(let bytes, _, _, _)) = event else { return }
            if bytes == [1] {
                port.send("response 1")
            } else {
                flushedBeforeSecond.withLock { $0 = port.flushes.withLock { $0 } }
                done.store(true, ordering: .releasing)
            }
        }
        // Both ready before the loop polls them: one pass reads one message from each.
        var one: UInt8 = 1
        var two: UInt8 = 2
        #expect(write(port.writeEnds[0], &one, 1) == 1)
        #expect(write(port.writeEnds[1], &two, 1) == 1)
        loop.add(port, index: 0)
        // Bounded: at most 5 s.
        let deadline = ContinuousClock.now + .seconds(5)
        while !done.load(ordering: .acquiring) && ContinuousClock.now < deadline { usleep(1_000) }
        loop.removePorts()
        #expect(flushedBeforeSecond.withLock { $0 } == [["response 1"]])
    }

    /// Three messages read together from one descriptor (one `recvmmsg` of three Delay_Reqs): each is handled,
    /// and their three answers leave in one flush (one `sendmmsg`) after the last.
    @Test func theAnswersToOneReadLeaveTogether() throws {
        let loop = try ClockLoop()
        let port = try PipePort(loop: loop, readLimit: 16)
        let done = Atomic<Bool>(false)
        loop.setHandler { event in
            guard case .input(_, .message(let bytes, _, _, _)) = event else { return }
            port.send("response \(bytes[0])")
            if bytes == [3] { done.store(true, ordering: .releasing) }
        }
        var three: [UInt8] = [1, 2, 3]
        #expect(write(port.writeEnds[0], &three, 3) == 3)
        loop.add(port, index: 0)
        // Bounded: at most 5 s.
        let deadline = ContinuousClock.now + .seconds(5)
        while !(done.load(ordering: .acquiring) && port.flushes.withLock({ $0.count }) >= 1) && ContinuousClock.now < deadline {
            usleep(1_000)
        }
        loop.removePorts()
        #expect(port.flushes.withLock { $0 } == [["response 1", "response 2", "response 3"]])
    }
}
