import Foundation
import MeridianTestSupport
import Testing

@testable import GNSSReference

/// The gpsd client against a real gpsd 3.22 fed by a live NMEA stream with a simulated PPS.
@Suite(.serialized)
struct GPSDClientTests {
    func withGPSD(_ body: (GPSDHarness, GPSDClient, ReportLog) throws -> Void) throws {
        let harness = try GPSDHarness()
        defer { harness.shutDown() }
        try harness.startFeed()
        try harness.startGPSD()
        let log = ReportLog()
        let client = GPSDClient(
            host: "127.0.0.1", port: String(harness.port), initialBackoffMilliseconds: 200, maximumBackoffMilliseconds: 1_000
        ) { report in
            log.append(report)
        }
        client.start()
        defer { client.stop() }
        try body(harness, client, log)
    }

    func fixes(_ log: ReportLog) -> [GNSSFix] {
        log.all(GPSDReport.self).compactMap { if case .fix(let f) = $0 { f } else { nil } }
    }
    func pulses(_ log: ReportLog) -> [GPSDTimePair] {
        log.all(GPSDReport.self).compactMap { if case .pps(let p) = $0 { p } else { nil } }
    }
    func offsets(_ log: ReportLog) -> [GPSDTimePair] {
        log.all(GPSDReport.self).compactMap { if case .timeOffset(let p) = $0 { p } else { nil } }
    }

    @Test func timeLeapSecondsPPSAndTOFFArriveFromARealGpsd() throws {
        try withGPSD { _, _, log in
            #expect(log.wait(seconds: 15) { pulses(log).count >= 3 && offsets(log).count >= 3 })
            let timed = fixes(log).filter { $0.time != nil && $0.mode == 3 }
            #expect(!timed.isEmpty)
            #expect(timed.allSatisfy { $0.leapSeconds == 18 })
            let now = Int64(Date().timeIntervalSince1970)
            for pulse in pulses(log) {
                // gpsd labels each edge with its GNSS second; the system clock saw it just after.
                #expect(pulse.real.nanoseconds == 0)
                #expect(abs(pulse.real.seconds - now) < 30)
                #expect(
                    pulse.offsetNanoseconds >= 0 && pulse.offsetNanoseconds < 5_000_000,
                    "PPS clock−real \(pulse.offsetNanoseconds) ns")
                #expect(pulse.precision == -20)
                // Every PPS second is also a second some TPV reported (pairing by second works).
                #expect(
                    timed.contains { $0.time?.seconds == pulse.real.seconds }
                        || pulse.real.seconds > (timed.last?.time?.seconds ?? 0))
            }
            for offset in offsets(log) {
                // TOFF: the sentences arrive FEED_DELAY_MS (100 ms) after the second.
                #expect(
                    offset.offsetNanoseconds > 90_000_000 && offset.offsetNanoseconds < 150_000_000,
                    "TOFF \(offset.offsetNanoseconds)")
            }
        }
    }

    @Test func lossOfFixShowsAsModeOneWhileTimeKeepsComing() throws {
        try withGPSD { harness, _, log in
            #expect(log.wait(seconds: 15) { fixes(log).contains { $0.mode == 3 && $0.time != nil } })
            harness.signalFeed(SIGUSR2)
            #expect(log.wait(seconds: 6) { fixes(log).suffix(2).allSatisfy { $0.mode == 1 } && fixes(log).last?.mode == 1 })
            harness.signalFeed(SIGUSR2)
            #expect(log.wait(seconds: 6) { fixes(log).last?.mode == 3 })
        }
    }

    @Test func silenceStopsTheReports() throws {
        try withGPSD { harness, _, log in
            #expect(log.wait(seconds: 15) { pulses(log).count >= 1 })
            harness.signalFeed(SIGUSR1)
            usleep(2_500_000)
            let before = fixes(log).count
            usleep(2_000_000)
            #expect(fixes(log).count == before, "TPV kept coming while the receiver was silent")
            harness.signalFeed(SIGUSR1)
            #expect(log.wait(seconds: 6) { fixes(log).count > before })
        }
    }

    @Test func aKilledGpsdIsReconnectedByItself() throws {
        try withGPSD { harness, _, log in
            #expect(log.wait(seconds: 15) { pulses(log).count >= 1 })
            harness.stopGPSD()
            #expect(
                log.wait(seconds: 5) { log.all(GPSDReport.self).contains { if case .disconnected = $0 { true } else { false } } })
            let pulsesBefore = pulses(log).count
            try harness.startGPSD()
            #expect(log.wait(seconds: 20) { pulses(log).count > pulsesBefore })
            let connects = log.all(GPSDReport.self).filter { $0 == .connected }.count
            #expect(connects >= 2)
        }
    }

    @Test func anUnreachableGpsdIsRetriedWithGrowingBackoff() throws {
        let port = try GPSDHarness.freePort()
        let log = ReportLog()
        let client = GPSDClient(
            host: "127.0.0.1", port: String(port), initialBackoffMilliseconds: 50, maximumBackoffMilliseconds: 400
        ) { log.append($0) }
        client.start()
        #expect(log.wait(seconds: 5) { log.count() >= 5 })
        client.stop()
        let delays = log.all(GPSDReport.self).compactMap { if case .disconnected(_, let after) = $0 { after } else { nil } }
        #expect(Array(delays.prefix(5)) == [50, 100, 200, 400, 400])
        let reasons = log.all(GPSDReport.self).compactMap { if case .disconnected(let why, _) = $0 { why } else { nil } }
        #expect(reasons.first?.contains("cannot connect to gpsd at 127.0.0.1:\(port)") == true)
    }

    @Test func addressesParseLikeGpsdClients() {
        #expect(GPSDClient.parseAddress("127.0.0.1:2947")! == ("127.0.0.1", "2947"))
        #expect(GPSDClient.parseAddress("gnss.local")! == ("gnss.local", "2947"))
        #expect(GPSDClient.parseAddress("[::1]:29470")! == ("::1", "29470"))
        #expect(GPSDClient.parseAddress("host:0") == nil)
        #expect(GPSDClient.parseAddress("host:x") == nil)
        #expect(GPSDClient.parseAddress(":2947") == nil)
    }

    @Test func gpsdLinesAreReadWithoutTrusting3_22sTOFFDecoding() {
        let toff = GPSDLine(
            text:
                #"{"class":"TOFF","device":"/x","real_sec":1795221137, "real_nsec":0,"clock_sec":1795221137,"clock_nsec":100550099}"#
        )
        #expect(toff.messageClass == "TOFF")
        #expect(
            toff.timePair
                == GPSDTimePair(
                    real: UnixTime(seconds: 1_795_221_137, nanoseconds: 0),
                    clock: UnixTime(seconds: 1_795_221_137, nanoseconds: 100_550_099)))
        let pps = GPSDLine(
            text:
                #"{"class":"PPS","device":"/x","real_sec":1795221298,"real_nsec":0,"clock_sec":1795221297,"clock_nsec":997610291,"precision":-20}"#
        )
        #expect(pps.timePair?.offsetNanoseconds == -2_389_709)
        #expect(pps.timePair?.precision == -20)
        #expect(GPSDLine(text: #"{"class":"PPS","real_sec":"#).timePair == nil)
        #expect(GPSDLine(text: "garbage").messageClass == nil)
    }
}
