import Glibc
import LinuxPlatform
import PTPCore
import Synchronization

/// The thread a clock's actor runs on: ptp4l's loop, as a Swift executor.
///
/// One thread per clock sleeps in one `poll` over the sockets of every port that it polls itself
/// (``PolledPort``: the daemon's ports), a doorbell, and a timeout to the earliest engine timer. When a
/// packet, a transmit stamp or a timer is due, it hands it to the clock actor right there, on this thread:
/// the actor's executor *is* this loop (``ClockActor/unownedExecutor``), so there is no hop to the
/// cooperative pool and no thread to wake. A Sync leaves on the thread that armed its timer, its transmit
/// stamp is read on the same thread, and its Follow_Up leaves before the thread sleeps again.
///
/// Everything else that calls the actor (management, the reference, SIGHUP, a test's in-memory ports) does
/// so with `await`, as with any actor: the runtime enqueues the job here (``enqueue(_:)``), the doorbell
/// wakes the poll and the job runs on this thread between two polls.
///
/// A master port that answers Delay_Reqs (``deferEventInput(port:_:)``) has its event socket left out of the poll
/// while a timer is due within ``eventInputDeferLimit``: the Delay_Reqs that come meanwhile wait in the socket
/// and are read, and answered together, in the pass of that timer (its next Sync), instead of waking the thread
/// once each. Their receive stamps are the kernel's, taken on arrival, so the wait changes no timestamp; the
/// delay request-response mechanism's measurement (11.3) uses only t3 and t4 of the Delay_Req, and the time a
/// Delay_Resp takes to come back is not part of it. A grandmaster of 8 slaves at 16 Sync/s wakes about 20 times a
/// second instead of 28.
///
/// Why: on this 2-core VM, each thread hand-off (I/O thread → pool thread, a `Task.sleep` timer through
/// Dispatch's timer thread) costs a context switch and several system calls; a grandmaster of 8 slaves made
/// about five of them per Sync. This loop makes one.
final class ClockLoop: SerialExecutor, @unchecked Sendable {
    // Safety of @unchecked Sendable: `shared` and the atomics are what other threads touch; every other
    // stored property is read and written only on the loop's thread (by the loop itself, or by the clock
    // actor, which runs on this thread and nowhere else).

    /// What the loop hands to its clock.
    enum Event {
        /// An input of port `index`, read from its sockets or produced by a send (a transmit stamp).
        case input(port: Int, PortInput)
        /// Port `index`'s sockets failed (the loop stops polling them).
        case ioEnded(port: Int, reason: String)
        /// The timer `key` (``arm(_:after:)``) is due.
        case timer(key: Int)
    }

    private struct Shared {
        var jobs: [UnownedJob] = []
        var ports: [(index: Int, port: any PolledPort)] = []
        var portsVersion = 0
        /// Set once, before any port is added, by the clock actor (on whichever thread made it).
        var handler: (@Sendable (Event) -> Void)?
    }

    private let shared = Mutex(Shared())
    /// Set by the first enqueue that finds the loop not yet rung; the loop clears it when it takes the jobs.
    private let rung = Atomic<Bool>(false)
    private let ownerThread = Atomic<UInt>(0)
    private let bellRead: Int32
    private let bellWrite: Int32

    // The loop thread's own state.
    private var timers = LoopTimers()
    /// Where this loop's grid of aligned timers starts (ns of the monotonic clock, drawn once): each daemon's
    /// master ports share their wake-ups, and daemons on one machine (a lab, the seam tests) do not all wake at once.
    private let gridPhase = Int64.random(in: 0..<86_400_000_000_000)
    /// The timer whose firing is being handled, and when it was due.
    private var firing: (key: Int, deadline: Int64)?
    private var deferred: [Event] = []
    /// An empty buffer for ``deferred`` while ``drainDeferred()`` hands a round over: the two swap, so neither is
    /// copied or freed.
    private var draining: [Event] = []
    /// Ports that queued sends since the last flush (``flushLater(_:)``).
    private var unflushed: [any PolledPort] = []
    private var ports: [(index: Int, port: any PolledPort)] = []
    private var portsVersion = -1
    private var pollSet: [pollfd] = []
    /// For each entry of `pollSet` after the doorbell, the position in `ports` it belongs to and its index in
    /// that port's ``PolledPort/pollDescriptors``.
    private var pollOwner: [(position: Int, descriptorIndex: Int)] = []
    private var handler: (@Sendable (Event) -> Void)?
    /// Reused every pass, so that a pass allocates nothing: the doorbell's drain buffer, which ports' I/O
    /// ended in this pass, and the due timers.
    private var drain = [UInt8](repeating: 0, count: 64)
    private var ended: [Bool] = []
    /// The ports whose event socket may be left out of the poll (``deferEventInput(port:_:)``), by index.
    private var deferringPorts: [Int] = []
    /// Their event sockets' positions in `pollSet`, and whether the last poll left them out.
    private var deferredPositions: [Int] = []
    private var deferredPositionsStale = false
    private var leftOut = false
    /// Set when the positions change: the next poll includes every socket.
    private var pollEverySocketOnce = false
    /// Set when a read of one of them after the last poll came back full.
    private var deferredBacklog = false
    private var due: [(key: Int, deadline: Int64)] = []
    /// True while the loop hands over an input it read from a port's sockets on this very thread (for the
    /// instrumented hop count: work done then is zero hops from the socket).
    private(set) var deliveringPolledInput = false

    /// Starts the loop's thread. It ends (within a second) once nothing refers to the loop any more.
    init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw StartupError("pipe: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        bellRead = ends[0]
        bellWrite = ends[1]
        let weakLoop = WeakLoop(self)
        do {
            _ = try PlatformThread.spawn(name: "meridian-clock") {
                // Bounded by the loop's life: each pass holds it for one poll of at most a second.
                while let loop = weakLoop.loop, loop.pass() {}
            }
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
    }

    deinit {
        close(bellRead)
        close(bellWrite)
    }

    /// Who hears the loop's events (the clock actor, weakly).
    func setHandler(_ handler: @escaping @Sendable (Event) -> Void) {
        shared.withLock {
            $0.handler = handler
            $0.portsVersion += 1
        }
        ring()
    }

    /// Polls `port`'s sockets from now on; its events come as ``Event/input(port:_:)`` with `index`.
    func add(_ port: any PolledPort, index: Int) {
        shared.withLock {
            $0.ports.append((index, port))
            $0.portsVersion += 1
        }
        ring()
    }

    /// Stops polling port `index` (before it is closed and replaced: a fault reset).
    func remove(port index: Int) {
        shared.withLock {
            $0.ports.removeAll { $0.index == index }
            $0.portsVersion += 1
        }
        ring()
    }

    /// Stops polling every port (before they are closed).
    func removePorts() {
        shared.withLock {
            $0.ports.removeAll()
            $0.portsVersion += 1
        }
        ring()
    }

    // MARK: On the loop's thread only (the clock actor's code)

    /// Arms (or re-arms) timer `key` to fire `after` from now; a timer re-armed while its own firing is handled
    /// fires `after` from when it was due instead, so the time its handling took (a Sync slot's burst to many
    /// unicast clients) does not stretch its period. One that was handled more than `after` late starts afresh
    /// from now, with no catching up, unless its period is shorter than ``catchUpLimit`` and it is less than that
    /// late: then it fires at once and keeps its cadence. That is a unicast server's slot timer (a 256th of the
    /// Sync interval, 3.9 ms at 1 Sync/s): a scheduling delay of a few ms would otherwise shift every later slot,
    /// and the clients of 10,000 were sent 0.13 % fewer Syncs than they were granted.
    ///
    /// With `aligned`, the deadline moves to the nearest point of this loop's grid of period `after` (within half
    /// of `after` of where it would be): every timer so armed with the same period fires in the same pass
    /// (``LoopTimers/aligned(_:period:phase:)``).
    ///
    /// With `slack`, the timer fires in the first pass at or after its deadline, but the loop wakes for it only
    /// `slack` after the deadline: a pass for something else in between (a Sync, a datagram) takes it along, as
    /// Linux's timer slack does. For a timer whose time is not exact (the status page's once-a-second sample, a
    /// deferred publication): as grandmaster at 16 Sync/s it rides on the next Sync's pass instead of waking the
    /// thread between two of them.
    func arm(_ key: Int, after: PTPDuration, aligned: Bool = false, slack: PTPDuration = .zero) {
        let delay = max(0, min(after.nanoseconds, 86_400_000_000_000))
        let dueBefore = firing.flatMap { $0.key == key ? $0.deadline : nil }
        let deadline = LoopTimers.deadline(after: delay, reArmedFrom: dueBefore, now: Self.monotonicNow())
        timers.set(
            key, aligned ? LoopTimers.aligned(deadline, period: delay, phase: gridPhase) : deadline,
            slack: max(0, min(slack.nanoseconds, 86_400_000_000_000)))
    }

    /// How long the loop leaves a deferring port's event socket out of its poll at most: the time to its next timer,
    /// when that is no more than this (a Sync interval of 1/8 s or shorter). Beyond, the socket is polled as any
    /// other, and a Delay_Req is answered when it comes.
    static let eventInputDeferLimit: Int64 = 125_000_000

    /// Whether port `index`'s event-only socket (``PolledPort/deferrableDescriptorIndex``) may wait for the loop's
    /// next timer: the clock says so for a port in the MASTER state using the delay request-response mechanism,
    /// whose event socket then carries only Delay_Reqs. On the loop's thread (the clock actor runs there).
    func deferEventInput(port index: Int, _ deferring: Bool) {
        let listed = deferringPorts.contains(index)
        guard listed != deferring else { return }
        if deferring { deferringPorts.append(index) } else { deferringPorts.removeAll { $0 == index } }
        deferredPositionsStale = true
    }

    func cancel(_ key: Int) {
        timers.remove(key)
    }

    func cancelAllTimers() {
        timers.removeAll()
    }

    /// Hands `event` to the clock once the current one is done (a transmit stamp read during a send).
    func post(_ event: Event) {
        deferred.append(event)
    }

    /// `port` queued messages while the clock handled an event: the loop has it send them (``PolledPort/flushSends()``)
    /// as soon as that event is handled, so what one event sends leaves together.
    func flushLater(_ port: any PolledPort) {
        unflushed.append(port)
    }

    /// Sends what the ports queued: the loop does so after every event it hands over; the clock calls it when
    /// its sends must leave before it returns (its CANCELs as it stops, before the daemon closes the ports).
    func flushPorts() {
        // Bounded: a flush queues nothing (its stamps are posted, and handled after it).
        while !unflushed.isEmpty {
            let ports = unflushed
            unflushed.removeAll(keepingCapacity: true)
            for port in ports { port.flushSends() }
        }
    }

    // MARK: SerialExecutor

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        shared.withLock { $0.jobs.append(job) }
        if !rung.exchange(true, ordering: .acquiringAndReleasing) {
            ring()
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// True on the loop's thread: what lets the loop call into the actor synchronously (`assumeIsolated`).
    func isIsolatingCurrentContext() -> Bool? {
        ownerThread.load(ordering: .acquiring) == UInt(pthread_self())
    }

    func checkIsolated() {
        // The runtime asks this only where isIsolatingCurrentContext() is not consulted; answering by
        // returning means "isolated", so it must not be reached off the loop's thread, where the runtime
        // itself reports the misuse.
    }

    // MARK: The loop

    private func ring() {
        var one: UInt8 = 1
        _ = write(bellWrite, &one, 1)
    }

    /// CLOCK_MONOTONIC, ns.
    static func monotonicNow() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }

    /// One pass: jobs, due timers, then one poll. False when the loop should end (never, today: the thread
    /// ends when the loop is released).
    private func pass() -> Bool {
        if ownerThread.load(ordering: .relaxed) == 0 {
            ownerThread.store(UInt(pthread_self()), ordering: .releasing)
        }
        runJobs()
        fireDueTimers()
        // Every path that hands the clock an event flushes after it; this one only makes sure nothing queued
        // waits through a poll.
        flushPorts()
        drainDeferred()
        // After the jobs and timers, which may have added or removed a port (a fault reset): the poll below must
        // not wait on a closed port's descriptors.
        refreshPorts()
        for i in ended.indices { ended[i] = false }
        // What waited in the sockets the last poll left out: read after this pass's timers (a Sync leaves on
        // time first). A read of them that came back full (here or after the last poll) leaves more behind: then
        // this poll includes them, and returns at once for the rest.
        var backlog = deferredBacklog
        deferredBacklog = false
        if leftOut {
            for position in deferredPositions {
                backlog = readPolled(at: position, revents: Int16(POLLIN)) || backlog
            }
        }
        // Sleep until the next timer must fire (its deadline plus its slack; at most a second, so that a released
        // loop's thread ends).
        var timeout: Int64 = 1_000
        var deferring = false
        if let next = timers.earliestWake {
            let wait = next - Self.monotonicNow()
            timeout = max(0, min(timeout, (wait + 999_999) / 1_000_000))
            deferring = !backlog && !pollEverySocketOnce && wait <= Self.eventInputDeferLimit
        }
        pollEverySocketOnce = false
        if rung.load(ordering: .acquiring) { timeout = 0 }
        setLeftOut(deferring && !deferredPositions.isEmpty)
        for i in pollSet.indices { pollSet[i].revents = 0 }
        let ready = poll(&pollSet, nfds_t(pollSet.count), CInt(timeout))
        guard ready > 0 else { return true }
        if pollSet[0].revents != 0 {
            _ = drain.withUnsafeMutableBytes { read(bellRead, $0.baseAddress, $0.count) }
        }
        // One read per ready descriptor per pass (a `recvmmsg` of what is waiting, up to
        // `LinuxPortChannel.readLimit`): what else is queued makes the next poll return at once, and due timers
        // are served in between.
        for i in pollSet.indices.dropFirst() where pollSet[i].revents != 0 {
            if readPolled(at: i, revents: pollSet[i].revents), deferredPositions.contains(i) { deferredBacklog = true }
        }
        return true
    }

    /// Reads what `revents` says is on the descriptor at `pollSet[i]` and hands it to the clock. The messages of
    /// one read are handled one after the other and what they queued leaves together after the last (the
    /// Delay_Resps to a read of Delay_Reqs in one `sendmmsg`). True when the read took as many messages as the
    /// port reads at once (``PolledPort/readLimit``): more may be waiting.
    private func readPolled(at i: Int, revents: Int16) -> Bool {
        guard pollOwner.indices.contains(i - 1) else { return false }
        let (position, descriptorIndex) = pollOwner[i - 1]
        guard ports.indices.contains(position), !ended[position] else { return false }
        let (index, port) = ports[position]
        var delivered = 0
        let alive = port.readReady(descriptorIndex: descriptorIndex, revents: revents) { input in
            deliveringPolledInput = true
            handler?(.input(port: index, input))
            deliveringPolledInput = false
            delivered += 1
        }
        if delivered > 0 {
            flushPorts()
            drainDeferred()
        }
        if case .failure(let failure) = alive {
            ended[position] = true
            deliver(.ioEnded(port: index, reason: failure.reason))
            shared.withLock {
                $0.ports.removeAll { $0.index == index }
                $0.portsVersion += 1
            }
        }
        return delivered >= port.readLimit
    }

    /// Leaves the deferring ports' event sockets out of the next poll (`events` 0: the poll still reports an
    /// error on them, a transmit stamp the send did not wait for), or puts them back.
    private func setLeftOut(_ out: Bool) {
        guard out != leftOut else { return }
        leftOut = out
        for position in deferredPositions where pollSet.indices.contains(position) {
            pollSet[position].events = out ? 0 : CShort(POLLIN)
        }
    }

    private func deliver(_ event: Event) {
        handler?(event)
        flushPorts()
        drainDeferred()
    }

    /// Sends what the last event queued, then hands over what it posted (transmit stamps of its sends), and
    /// what those posted in turn: a round's stamps are handled one by one and what they queue (the Follow_Ups
    /// of a Sync slot) leaves together at the end of the round.
    private func drainDeferred() {
        // Bounded: 64 rounds; a round's events come from the sends of the round before. (A `while`, not a
        // `for … where`, which would test all 64 after the last round: most calls have nothing to drain.)
        var rounds = 0
        while !deferred.isEmpty && rounds < 64 {
            rounds += 1
            // The round leaves `deferred` for an empty buffer (the spare) and is handled from a local, so what
            // it posts meanwhile goes to the next round; its events are moved out, not copied (``Array/drain``),
            // and its buffer, emptied, is the spare afterwards.
            var round: [Event] = []
            swap(&round, &draining)
            swap(&round, &deferred)
            round.drain(leaving: .timer(key: -1)) { event in handler?(event) }
            draining = round
            flushPorts()
        }
    }

    private func runJobs() {
        guard rung.exchange(false, ordering: .acquiringAndReleasing) else { return }
        let jobs = shared.withLock { shared -> [UnownedJob] in
            defer { shared.jobs.removeAll(keepingCapacity: true) }
            return shared.jobs
        }
        let executor = asUnownedSerialExecutor()
        for job in jobs {
            job.runSynchronously(on: executor)
            // A job may have sent (management replies, a SET that reruns the BMCA): its sends leave and their
            // stamps come now.
            flushPorts()
            drainDeferred()
        }
    }

    private func refreshPorts() {
        let current = shared.withLock { shared -> (Int, [(index: Int, port: any PolledPort)], (@Sendable (Event) -> Void)?)? in
            shared.portsVersion == portsVersion ? nil : (shared.portsVersion, shared.ports, shared.handler)
        }
        guard let (version, ports, handler) = current else {
            if deferredPositionsStale { findDeferredPositions() }
            return
        }
        portsVersion = version
        self.ports = ports
        self.handler = handler
        pollSet = [pollfd(fd: bellRead, events: CShort(POLLIN), revents: 0)]
        pollOwner = []
        ended = Array(repeating: false, count: ports.count)
        for (position, entry) in ports.enumerated() {
            for (descriptorIndex, descriptor) in entry.port.pollDescriptors.enumerated() {
                pollSet.append(pollfd(fd: descriptor, events: CShort(POLLIN), revents: 0))
                pollOwner.append((position, descriptorIndex))
            }
        }
        leftOut = false
        findDeferredPositions()
    }

    /// Where the deferring ports' event sockets are in `pollSet`. Every socket is polled again, and the next poll
    /// leaves none out: what waits in one the last poll left out makes that poll return at once.
    private func findDeferredPositions() {
        deferredPositionsStale = false
        setLeftOut(false)
        pollEverySocketOnce = true
        deferredPositions.removeAll(keepingCapacity: true)
        for i in pollOwner.indices {
            let (position, descriptorIndex) = pollOwner[i]
            guard ports.indices.contains(position) else { continue }
            let (index, port) = ports[position]
            if deferringPorts.contains(index), port.deferrableDescriptorIndex == descriptorIndex {
                deferredPositions.append(i + 1)
            }
        }
    }

    private func fireDueTimers() {
        let now = Self.monotonicNow()
        guard let next = timers.earliest, next <= now else { return }
        due.removeAll(keepingCapacity: true)
        timers.collectDue(notAfter: now, into: &due)
        if due.count > 1 { due.sort { $0.deadline < $1.deadline } }
        // Bounded: at most as many as were due now (a fired timer re-armed for later waits for the next pass).
        for (key, deadline) in due {
            guard timers.deadline(of: key) == deadline else { continue }  // re-armed or cancelled by an earlier one
            timers.remove(key)
            firing = (key, deadline)
            deliver(.timer(key: key))
            firing = nil
        }
    }
}

/// A port whose sockets the clock's loop polls itself.
protocol PolledPort: AnyObject, Sendable {
    /// The descriptors to poll for input (its sockets and its link monitor).
    var pollDescriptors: [Int32] { get }
    /// Reads what the loop's poll reported on `pollDescriptors[descriptorIndex]` (`revents`) without waiting
    /// and hands what it read to `deliver` (every message waiting, up to a bound, read together); a failure
    /// ends the port's I/O. The loop sends what the inputs queued after the last of them.
    func readReady(descriptorIndex: Int, revents: Int16, _ deliver: (PortInput) -> Void) -> Result<Void, PortIOFailure>
    /// Sends what the port queued since it last asked the loop to (``ClockLoop/flushLater(_:)``).
    func flushSends()
    /// The most messages one ``readReady(descriptorIndex:revents:_:)`` hands on.
    var readLimit: Int { get }
    /// The index in ``pollDescriptors`` of the socket that carries event messages only, which the loop may leave
    /// out of its poll while the port is a master answering Delay_Reqs (``ClockLoop/deferEventInput(port:_:)``);
    /// `nil` when no socket carries event messages alone.
    var deferrableDescriptorIndex: Int? { get }
}

struct PortIOFailure: Error {
    var reason: String
}

private final class WeakLoop: Sendable {
    private let box: Mutex<Weak>
    private struct Weak: @unchecked Sendable { weak var loop: ClockLoop? }

    init(_ loop: ClockLoop) { box = Mutex(Weak(loop: loop)) }

    var loop: ClockLoop? { box.withLock { $0.loop } }
}

/// The loop's timers: each key's deadline (monotonic nanoseconds), kept unordered in two parallel arrays. A clock
/// arms a few dozen keys (its ports' timers, its own, the publication's), so a scan of them costs less than the
/// hashing a dictionary did on every arm, cancel and firing, and a pass's earliest deadline is one scan.
struct LoopTimers {
    private var keys: [Int] = []
    private var deadlines: [Int64] = []
    /// When the loop must wake for each at the latest: its deadline plus the slack it was armed with.
    private var wakes: [Int64] = []

    /// A timer of a shorter period than this, handled late by less than this, catches up.
    static let catchUpLimit: Int64 = 50_000_000

    /// When a timer armed `delay` ns from `now` fires (``ClockLoop/arm(_:after:)``): `delay` after `dueBefore`
    /// when it is re-armed while its own firing (due then) is handled and that is not yet past, or is past by
    /// less than ``catchUpLimit`` for a period shorter than that; else `delay` from now.
    static func deadline(after delay: Int64, reArmedFrom dueBefore: Int64?, now: Int64) -> Int64 {
        if let dueBefore {
            let due = dueBefore &+ delay
            if due >= now || (delay < catchUpLimit && now &- due <= catchUpLimit) { return due }
        }
        return now &+ delay
    }

    /// `deadline` moved to the nearest point `phase` + k·`period` (ns of the monotonic clock; a tie goes to the
    /// later one): within `period`/2 of it, and unchanged when it is one already, so a timer re-armed from its own
    /// deadline keeps its cadence. Periodic timers armed this way with the same period and phase (every master
    /// port's Sync timer at the same logSyncInterval) share their deadlines, and so one wake-up of the loop,
    /// whenever each was first armed; one of a period that divides another's (16 Sync/s, an Announce every 2 s)
    /// shares every one of the longer period's. A period below 1 ms or above a day is left alone.
    static func aligned(_ deadline: Int64, period: Int64, phase: Int64 = 0) -> Int64 {
        guard period >= 1_000_000, period <= 86_400_000_000_000, deadline >= 0, deadline < Int64.max / 2,
            phase >= 0, phase < Int64.max / 2
        else { return deadline }
        let offset = phase % period
        // Distance past the grid point at or before the deadline, in [0, period).
        let past = ((deadline - offset) % period + period) % period
        let below = deadline - past
        return past >= period - period / 2 ? below + period : below
    }

    /// The earliest deadline, if any timer is armed: a pass at or after it has a timer to fire.
    var earliest: Int64? { deadlines.min() }

    /// The earliest time the loop must be awake for a timer (a deadline plus its slack), if any is armed.
    var earliestWake: Int64? { wakes.min() }

    func deadline(of key: Int) -> Int64? {
        keys.firstIndex(of: key).map { deadlines[$0] }
    }

    /// Arms `key` for `deadline`, replacing its earlier deadline; the loop wakes for it by `slack` (ns, at least 0)
    /// after the deadline at the latest.
    mutating func set(_ key: Int, _ deadline: Int64, slack: Int64 = 0) {
        let slack = max(0, slack)
        let wake = deadline > Int64.max - slack ? Int64.max : deadline + slack
        if let i = keys.firstIndex(of: key) {
            deadlines[i] = deadline
            wakes[i] = wake
        } else {
            keys.append(key)
            deadlines.append(deadline)
            wakes.append(wake)
        }
    }

    mutating func remove(_ key: Int) {
        guard let i = keys.firstIndex(of: key) else { return }
        let last = keys.count - 1
        keys.swapAt(i, last)
        deadlines.swapAt(i, last)
        wakes.swapAt(i, last)
        keys.removeLast()
        deadlines.removeLast()
        wakes.removeLast()
    }

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        deadlines.removeAll(keepingCapacity: true)
        wakes.removeAll(keepingCapacity: true)
    }

    /// Appends every timer due at `now` to `due`, in no particular order.
    func collectDue(notAfter now: Int64, into due: inout [(key: Int, deadline: Int64)]) {
        for i in deadlines.indices where deadlines[i] <= now { due.append((keys[i], deadlines[i])) }
    }
}
