import Testing

@testable import PTPCore

struct TimeTests {
    @Test func instantsSubtractToDurationsAndDurationsAddToInstants() {
        let a = PTPInstant(seconds: 1_795_221_137, nanoseconds: 129_259)
        let b = PTPInstant(seconds: 1_795_221_136, nanoseconds: 999_999_999)
        #expect(a - b == .nanoseconds(129_260))
        #expect(b + .nanoseconds(129_260) == a)
        #expect(a - .nanoseconds(129_260) == b)
        #expect((b - a).nanoseconds == -129_260)
    }

    @Test func instantSplitsIntoSecondsAndNanosecondsAlsoBeforeTheEpoch() {
        let t = PTPInstant(seconds: 5, nanoseconds: 1_500_000_000)
        #expect(t.seconds == 6 && t.nanoseconds == 500_000_000)
        let early = PTPInstant.epoch - .nanoseconds(1)
        #expect(early.seconds == -1 && early.nanoseconds == 999_999_999)
        #expect(t.description == "6.500000000")
    }

    @Test func durationsKeepSubNanosecondsExactly() {
        let quarter = PTPDuration.scaledNanoseconds(1 << 14)
        #expect(quarter * 4 == .nanoseconds(1))
        #expect(quarter.nanosecondsDouble == 0.25)
        #expect(PTPDuration.scaledNanoseconds(-1).nanoseconds == -1)  // floor
        #expect(PTPDuration.nanoseconds(-1.5).roundedNanoseconds == -2)
        #expect(PTPDuration.seconds(1.000_000_001) == .nanoseconds(1_000_000_001))
        #expect(PTPDuration.nanoseconds(Double.nan) == .zero)
    }

    @Test func durationDivisionAndScaling() {
        #expect(PTPDuration.seconds(1) / 4 == .milliseconds(250))
        #expect(PTPDuration.seconds(1) / 0 == .zero)
        #expect(PTPDuration.seconds(10).scaled(by: 1e-6) == .microseconds(10))
        #expect(PTPDuration.seconds(-3).magnitude == .seconds(3))
    }

    @Test func wireTimestampsConvertBothWays() {
        let instant = PTPInstant(seconds: 1_795_221_137, nanoseconds: 129_259)
        let wire = WireTimestamp(instant)
        #expect(wire.secondsField == 1_795_221_137 && wire.nanosecondsField == 129_259)
        #expect(wire.instant == instant)
        #expect(WireTimestamp(PTPInstant.epoch - .seconds(1)) == .zero)
        #expect(WireTimestamp(secondsField: UInt64.max, nanosecondsField: 0).secondsField == WireTimestamp.maxSeconds)
        #expect(!WireTimestamp(secondsField: 1, nanosecondsField: 1_000_000_000).isNormalized)
    }

    @Test func logIntervalsAreExactPowersOfTwo() {
        #expect(LogInterval(-4).duration == .microseconds(62_500))
        #expect(LogInterval(0).duration == .seconds(1))
        #expect(LogInterval(3).duration == .seconds(8))
        #expect(LogInterval(-7).duration == .nanoseconds(7_812_500))
        #expect(LogInterval(-4).seconds == 0.0625)
    }

    @Test func partsPerBillionClampAndConvert() {
        #expect(PartsPerBillion.ppm(100).value == 100_000)
        #expect(PartsPerBillion(-2e6).clamped(to: PartsPerBillion(500_000)) == PartsPerBillion(-500_000))
        #expect(PartsPerBillion(1_000).ratio == 1e-6)
    }
}

struct IdentityTests {
    @Test func clockIdentityFromMACFollowsPtp4l() throws {
        let id = try #require(ClockIdentity(mac: [0xC2, 0x0B, 0x0C, 0x78, 0x8E, 0x29]))
        #expect(id.rawValue == 0xC20B_0CFF_FE78_8E29)
        #expect(id.description == "c20b0c.fffe.788e29")
        #expect(ClockIdentity(mac: [1, 2, 3]) == nil)
        #expect(ClockIdentity("c20b0c.fffe.788e2") == nil)
    }

    @Test func portIdentityWildcardsMatch() throws {
        let port = PortIdentity(clockIdentity: ClockIdentity(rawValue: 42), portNumber: 3)
        #expect(PortIdentity.all.matches(port))
        #expect(PortIdentity(clockIdentity: .all, portNumber: 3).matches(port))
        #expect(!PortIdentity(clockIdentity: .all, portNumber: 2).matches(port))
        #expect(PortIdentity(clockIdentity: ClockIdentity(rawValue: 42), portNumber: 0xFFFF).matches(port))
        #expect(port < PortIdentity(clockIdentity: ClockIdentity(rawValue: 42), portNumber: 4))
        #expect(port.description == "000000.0000.00002a-3")
    }

    @Test func ptpTextKeepsBytesAndTruncates() {
        let long = PTPText(String(repeating: "x", count: 300))
        #expect(long.bytes.count == 255)
        #expect(PTPText(bytes: [0xFF, 0x41]).bytes == [0xFF, 0x41])
        #expect(PTPText("meridian").description == "meridian")
    }

    @Test func portStateNamesAreWhatPtp4lLogs() {
        #expect(PortState.preMaster.description == "PRE_MASTER")
        #expect(PortState.allCases.count == 9)
        #expect(DelayMechanism.p2p.description == "P2P")
        #expect(NetworkProtocol.ieee802_3.description == "IEEE 802.3")
    }

    /// `PTPDuration.nanoseconds(_: Double)` rounds to the nearest 2⁻¹⁶ ns, halves away from zero, as
    /// `Double.rounded()` does: at the halves, around 2⁵² units (where every value is whole), near the
    /// Int64 fast path's edge, and over 100,000 random values from 10⁻⁶ to 10¹³ ns of either sign.
    @Test func doubleNanosecondsRoundAsTheStandardLibrary() {
        func expected(_ nanoseconds: Double) -> PTPDuration {
            PTPDuration(scaled: Int128((nanoseconds * 65_536).rounded()))
        }
        let unit = 1.0 / 65_536
        var values: [Double] = [0, -0.0, unit / 2, -unit / 2, unit * 1.5, -unit * 1.5, unit * 2.5, -unit * 2.5]
        values += [0x1p52, 0x1p52 + 1, 0x1p52 - 0.5, 0x1p53 - 1, 9.1e18, -9.1e18].map { $0 / 65_536 }
        values += [unit * 0.49999999999999994, -unit * 0.49999999999999994, 1_000_000.5 * unit]
        var random = SplitMix64(seed: 3)
        for _ in 0..<100_000 {
            let magnitude = RealFunctions.pow(10, -6 + 19 * random.nextUnit())
            values.append(random.next() & 1 == 0 ? magnitude : -magnitude)
        }
        let wrong = values.filter { PTPDuration.nanoseconds($0) != expected($0) }
        #expect(wrong.isEmpty, "first: \(wrong.prefix(5))")
    }

    /// A time is kept as two 64-bit words (8-byte aligned, not `Int128`'s 16): the value survives the split across
    /// the sign and the word boundary, and order and equality are the `Int128`'s.
    @Test func theTwoWordsRoundTripAcrossTheWordBoundary() {
        let values: [Int128] = [
            0, 1, -1, Int128(UInt64.max), -Int128(UInt64.max), Int128(1) << 64, -(Int128(1) << 64), .max, .min,
        ]
        for value in values {
            let d = PTPDuration(scaled: value)
            #expect(d.scaled == value)
            #expect((PTPInstant.epoch + d).scaled == value)
            #expect(d == PTPDuration(scaled: value) && (d < PTPDuration(scaled: value &+ 1)) == (value != .max))
        }
        #expect(PTPDuration.nanoseconds(-1) < .zero && PTPDuration.nanoseconds(-1) > .nanoseconds(-2))
        #expect(PTPInstant(seconds: -1) < .epoch && PTPInstant(seconds: 1 << 40) > PTPInstant(seconds: (1 << 40) - 1))
    }
}
