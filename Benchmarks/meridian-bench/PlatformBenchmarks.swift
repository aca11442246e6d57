import Glibc
import LinuxPlatform
import MeridianLab
import PTPCore
import Synchronization

/// Platform benchmark: event messages sent per second with their TX timestamps collected, and received per
/// second with RX stamps, over a veth pair in two namespaces this function creates and removes. Needs root.
/// Prints a plain-text table; called from main.swift.
func runPlatformBenchmarks() {
    let count = 50_000
    print(
        "Platform: event messages over veth, software timestamps, \(count) per run; sender and receiver threads pinned to CPU 0")
    print(
        pad("transport", 12) + pad("sent/s (TX stamped)", 22) + pad("received/s (RX stamped)", 25) + pad("TX missed", 11)
            + "RX − TX median")
    for kind in ["UDPv4", "UDPv6", "IEEE 802.3"] {
        do {
            let row = try benchmarkTransport(kind, count: count)
            print(
                pad(kind, 12) + pad(String(Int(row.sentPerSecond)), 22) + pad(String(Int(row.receivedPerSecond)), 25)
                    + pad(String(row.missed), 11) + row.medianDelay.description)
        } catch {
            print(pad(kind, 12) + "failed: \(error)")
        }
    }
}

private struct PlatformRow {
    var sentPerSecond: Double
    var receivedPerSecond: Double
    var missed: Int
    var medianDelay: PTPDuration
}

private func open(_ kind: String, _ configuration: TransportConfiguration) throws -> any PTPTransport {
    switch kind {
    case "UDPv4": try UDPv4Transport(configuration: configuration)
    case "UDPv6": try UDPv6Transport(configuration: configuration)
    default: try EthernetTransport(configuration: configuration)
    }
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

private func benchmarkTransport(_ kind: String, count: Int) throws -> PlatformRow {
    let lab = try VethLab.create()
    defer { lab.remove() }
    var configA = TransportConfiguration(interfaceName: lab.a.interface)
    var configB = TransportConfiguration(interfaceName: lab.b.interface)
    configA.receiveBufferSize = 64 << 20
    configB.receiveBufferSize = 64 << 20
    let a = try NetworkNamespace.withNamespace(lab.a.namespace) { [configA] in try open(kind, configA) }
    defer { a.close() }
    let b = try NetworkNamespace.withNamespace(lab.b.namespace) { [configB] in try open(kind, configB) }
    defer { b.close() }

    // Receiver on its own thread: counts stamped event messages and keeps RX stamps by index.
    let received = Mutex<
        (count: Int, first: ContinuousClock.Instant?, last: ContinuousClock.Instant?, stamps: [Int: PTPInstant])
    >(
        (0, nil, nil, [:]))
    let done = Mutex(false)
    let receiver = try PlatformThread.spawn {
        try? PlatformThread.pinCurrentThread(toCPU: 0)
        let deadline = ContinuousClock.now + .seconds(60)
        while !done.withLock({ $0 }) && ContinuousClock.now < deadline {
            guard let message = try? b.receive(timeout: .milliseconds(50)), message.timestamp != nil else { continue }
            let now = ContinuousClock.now
            let index = message.bytes.count >= 38 ? (34..<38).reduce(0) { $0 << 8 | Int(message.bytes[$1]) } : -1
            received.withLock { state in
                state.count += 1
                state.first = state.first ?? now
                state.last = now
                if index % 64 == 0, let stamp = message.timestamp { state.stamps[index] = stamp }
            }
        }
    }
    // The sender runs on a pinned thread of its own, so the caller's thread keeps its affinity.
    let sent = Mutex<(missed: Int, transmitted: [Int: PTPInstant], seconds: Double, error: String?)>((0, [:], 0, nil))
    let start = ContinuousClock.now
    let sender = try PlatformThread.spawn {
        try? PlatformThread.pinCurrentThread(toCPU: 0)
        var message = [UInt8](repeating: 0, count: 44)
        message[1] = 2
        message[3] = 44
        var missed = 0
        var transmitted: [Int: PTPInstant] = [:]
        var failure: String?
        for index in 0..<count {
            for i in 0..<4 { message[34 + i] = UInt8(truncatingIfNeeded: index >> (24 - 8 * i)) }
            do {
                guard let token = try a.send(message, channel: .event, to: .primaryMulticast) else { continue }
                switch a.transmitTimestamp(for: token) {
                case .stamped(let stamp):
                    if index % 64 == 0 { transmitted[index] = stamp }
                default:
                    missed += 1
                }
            } catch {
                failure = "\(error)"
                break
            }
        }
        let elapsed = seconds(ContinuousClock.now - start)
        sent.withLock { $0 = (missed, transmitted, elapsed, failure) }
    }
    sender.join()
    let (missed, transmitted, sendSeconds, failure) = sent.withLock { $0 }
    let settle = ContinuousClock.now + .seconds(3)
    while received.withLock({ $0.count }) < count && ContinuousClock.now < settle {
        usleep(1_000)
    }
    done.withLock { $0 = true }
    receiver.join()
    if let failure { throw LabCommand.Failure("send failed: \(failure)") }
    let state = received.withLock { $0 }
    let receiveSeconds = max(1e-9, seconds((state.last ?? start) - start))
    let delays = state.stamps.compactMap { index, rx in transmitted[index].map { rx - $0 } }.sorted()
    return PlatformRow(
        sentPerSecond: Double(count) / sendSeconds, receivedPerSecond: Double(state.count) / receiveSeconds,
        missed: missed, medianDelay: delays.isEmpty ? .zero : delays[delays.count / 2])
}
