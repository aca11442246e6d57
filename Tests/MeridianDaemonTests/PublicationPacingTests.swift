import PTPCore
import PTPEngine
import Testing

@testable import MeridianDaemon

/// How far apart the clock actor publishes passes nobody is pushed (``PublicationPacing``), with and without a
/// reader of the published state.
struct PublicationPacingTests {
    let second: Int64 = 1_000_000_000

    @Test func aRecentReaderGetsThe20msSpacingAndTheIdleDaemonOneASecond() {
        let now: Int64 = 5_000 * second
        // Read 3 s ago (a pmc session, a scrape): passes at least 20 ms apart, none waiting over 100 ms.
        let reading = PublicationPacing(now: now, lastRead: now - 3 * second)
        #expect(reading.spacing == 20_000_000 && reading.latency == 100_000_000)
        // The window's edge: still reading just inside 10 s, idle at 10 s.
        #expect(PublicationPacing(now: now, lastRead: now - 10 * second + 1).spacing == 20_000_000)
        let idle = PublicationPacing(now: now, lastRead: now - 10 * second)
        #expect(idle.spacing == second && idle.latency == second + second / 4)
        // Never read (the box's initial value): idle, with no overflow in the difference.
        let never = PublicationPacing(now: now, lastRead: .min / 2)
        #expect(never == idle)
        #expect(PublicationPacing(now: 0, lastRead: .min / 2) == idle)
    }

    @Test func loadingTheStateMarksAReaderAndTheHistorySampleDoesNot() {
        let engine = InstanceEngine(
            configuration: InstanceConfiguration(
                defaultDS: DefaultDS(clockIdentity: ClockIdentity(rawValue: 0x0011_22ff_fe33_4455), numberPorts: 1),
                ports: [PortConfiguration(portNumber: 1)]))
        let box = ClockStateBox(
            PublishedState(
                engine: engine, received: [[0]], sent: [[0]], neighborPropDelayThresh: [0],
                synchronizationUncertain: .dontCare, lastIngress: nil, lastReceiverReport: nil, managementDropped: 0,
                referenceReportsRejected: 0, logLinesSuppressed: 0, missingTimestamps: [0], transmitMisses: [0],
                faults: [0], tracking: TrackingWindow.Summary(), faultResets: [0]))
        #expect(box.lastRead < 0)
        _ = box.load(reader: false)
        #expect(box.lastRead < 0, "the status page's history sample is not a reader")
        let before = ClockLoop.monotonicNow()
        _ = box.load()
        #expect(box.lastRead >= before && box.lastRead <= ClockLoop.monotonicNow())
        let pacing = PublicationPacing(now: ClockLoop.monotonicNow(), lastRead: box.lastRead)
        #expect(pacing.spacing == PublicationPacing.readerSpacing)
    }
}
