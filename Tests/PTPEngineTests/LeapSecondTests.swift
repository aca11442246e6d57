import Foundation
import PTPCore
import PTPEngine
import Testing

@Suite struct LeapSecondTests {
    /// A small leap-seconds.list in the IETF/NIST format: two real entries, then a made-up leap second
    /// inserted at the end of 2026-12-31 (NTP 3976214400 = 2027-01-01T00:00:00Z) and a deleted one at the end
    /// of 2027-06-30 (NTP 3991852800 = 2027-07-01T00:00:00Z); updated 2026-01-01, expiring 2028-01-01.
    static let fixture = """
        #
        #\tA test list for Meridian (not real data after 2017)
        #
        #$\t3976214400
        #@\t4039372800
        #
        3692217600\t37\t# 1 Jan 2017
        3645561600\t36\t# 1 Jul 2015
        """
    // Entries must be in time order: the fixture above is deliberately out of order; see below.
    static let ordered = """
        #$\t3976214400
        #@\t4039372800
        3645561600\t36\t# 1 Jul 2015
        3692217600\t37\t# 1 Jan 2017
        3976214400\t38\t# 1 Jan 2027 (made up)
        3991852800\t37\t# 1 Jul 2027 (made up, a deleted second)
        """

    static let jan2027: Int64 = 3_976_214_400 - 2_208_988_800
    static let jul2027: Int64 = 3_991_852_800 - 2_208_988_800

    @Test func parsesEntriesExpiryAndUpdate() throws {
        let table = try LeapSecondTable.parse(Self.ordered).get()
        #expect(table.entries.count == 4)
        #expect(table.updated == Int64(1_767_225_600))  // 2026-01-01
        #expect(table.expires == Int64(1_830_384_000))  // 2028-01-01
        #expect(table.taiMinusUTC(atUTC: 1_483_228_800) == 37)  // 2017-01-01
        #expect(table.taiMinusUTC(atUTC: 1_483_228_799) == 36)
        #expect(table.taiMinusUTC(atUTC: Self.jan2027) == 38)
        let inserted = try #require(table.nextLeap(afterUTC: Self.jan2027 - 10))
        #expect(inserted.utcSecond == Self.jan2027 && inserted.change == 1)
        let deleted = try #require(table.nextLeap(afterUTC: Self.jan2027))
        #expect(deleted.utcSecond == Self.jul2027 && deleted.change == -1)
        #expect(!table.isExpired(atUTC: Self.jan2027) && table.isExpired(atUTC: 4_039_372_800 - 2_208_988_800))
    }

    @Test func badFilesSayWhere() {
        guard case .failure(let error) = LeapSecondTable.parse(Self.fixture) else {
            Issue.record("out-of-order entries accepted")
            return
        }
        #expect(error.line == 8 && error.message.contains("time order"))
        guard case .failure(let garbage) = LeapSecondTable.parse("#@ 4039372800\n3692217600 thirty-seven\n") else {
            Issue.record("garbage accepted")
            return
        }
        #expect(garbage.line == 2)
        #expect((try? LeapSecondTable.parse("# only comments\n").get()) == nil)
    }

    /// Issue #17: a negative (or 19-digit) NTP second trapped in `ntp - ntpToUnix`.
    @Test func negativeAndHugeNTPSecondsAreErrorsWithTheirLine() {
        for bad in [
            "#@ 4039372800\n-9223372036854775808 37\n", "#@ -9223372036854775808\n3692217600 37\n",
            "#$ -1\n3692217600 37\n", "3692217600 37\n9223372036854775807 38\n", "-1 10\n",
        ] {
            guard case .failure(let error) = LeapSecondTable.parse(bad) else {
                Issue.record("accepted \(bad)")
                continue
            }
            #expect(error.message.contains("not plausible"), "\(bad): \(error)")
        }
        #expect(LeapSecondTable.parse("255611289599 37\n").map(\.entries.count) == .success(1))
    }

    @Test func leap61AndLeap59InTheLastTwelveHours() throws {
        let resolver = UTCOffsetResolver(configuredOffset: 37, table: try LeapSecondTable.parse(Self.ordered).get())
        let before = resolver.resolve(atUTC: Self.jan2027 - 12 * 3600 - 1, receiverGPSMinusUTC: nil)
        #expect(!before.leap61 && before.offset == 37 && before.valid && before.source == .leapFile)
        let within = resolver.resolve(atUTC: Self.jan2027 - 12 * 3600, receiverGPSMinusUTC: nil)
        #expect(within.leap61 && !within.leap59)
        let after = resolver.resolve(atUTC: Self.jan2027, receiverGPSMinusUTC: nil)
        #expect(!after.leap61 && after.offset == 38)
        let deleted = resolver.resolve(atUTC: Self.jul2027 - 3600, receiverGPSMinusUTC: nil)
        #expect(deleted.leap59 && !deleted.leap61 && deleted.offset == 38)
    }

    @Test func precedenceIsReceiverThenFileThenConfiguration() throws {
        let table = try LeapSecondTable.parse(Self.ordered).get()
        let now: Int64 = 1_795_000_000  // 2026-11
        let receiver = UTCOffsetResolver(configuredOffset: 35, table: table).resolve(atUTC: now, receiverGPSMinusUTC: 18)
        #expect(receiver.offset == 37 && receiver.valid && receiver.source == .gnss && receiver.note == nil)
        let disagree = UTCOffsetResolver(configuredOffset: 35, table: table).resolve(atUTC: now, receiverGPSMinusUTC: 17)
        #expect(disagree.offset == 36 && disagree.source == .gnss && disagree.note?.contains("leap-seconds file 37") == true)
        let file = UTCOffsetResolver(configuredOffset: 35, table: table).resolve(atUTC: now, receiverGPSMinusUTC: nil)
        #expect(file.offset == 37 && file.valid && file.source == .leapFile)
        let configured = UTCOffsetResolver(configuredOffset: 37).resolve(atUTC: now, receiverGPSMinusUTC: nil)
        #expect(configured.offset == 37 && !configured.valid && configured.source == .configuration && configured.note != nil)
        // Never silently 0.
        let zero = UTCOffsetResolver(configuredOffset: 0).resolve(atUTC: now, receiverGPSMinusUTC: nil)
        #expect(!zero.valid && zero.note?.contains("utc_offset is 0") == true)
    }

    @Test func debiansLeapSecondsListParses() throws {
        let path = "/usr/share/zoneinfo/leap-seconds.list"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let table = try LeapSecondTable.parse(text).get()
        #expect(table.entries.first?.taiMinusUTC == 10)  // 1972
        #expect(table.taiMinusUTC(atUTC: 1_700_000_000) == 37)
        #expect(table.expires != nil && table.updated != nil)
        // An expired list still gives its offset, announced as not valid.
        if let expires = table.expires {
            let status = UTCOffsetResolver(table: table).resolve(atUTC: expires + 1, receiverGPSMinusUTC: nil)
            #expect(status.offset == 37 && !status.valid && status.note?.contains("expired") == true)
        }
    }
}
