import PTPCore
import PTPEngine
import PTPServo
import Testing

/// Issue #17: a sample whose numbers are out of range (from a broken or hostile gpsd) is rejected and counted
/// before the discipline computes anything from it; `leapseconds + 19` and `utcSecond + shift` trapped.
struct ImplausibleReferenceTests {
    @Test func extremeLabelsAreRejectedAsImplausibleAndCounted() {
        var d = ReferenceDiscipline(configuration: ReferenceDisciplineConfiguration(timescale: .tai), servo: SelectedServo(.pi))
        let extremes: [ReferenceSample] = [
            ReferenceSample(edge: .epoch, utcSecond: Int64.max, fixMode: .threeDimensional, gpsMinusUTC: 18),
            ReferenceSample(edge: .epoch, utcSecond: Int64.min, fixMode: .threeDimensional, gpsMinusUTC: 18),
            ReferenceSample(edge: .epoch, utcSecond: 1_000_000, fixMode: .threeDimensional, gpsMinusUTC: Int.max),
            ReferenceSample(edge: .epoch, utcSecond: 1_000_000, fixMode: .threeDimensional, satellitesUsed: Int.min),
        ]
        for sample in extremes {
            let out = d.sample(sample)
            #expect(out.rejection == .implausible)
            #expect(out.offset == nil && out.step == nil && out.frequency == nil)
        }
        #expect(d.validator.rejections[.implausible] == extremes.count)
        // A plausible sample afterwards is judged normally, and the UTC offset never took the huge count.
        let good = d.sample(
            ReferenceSample(
                edge: PTPInstant(seconds: 1_000_037, nanoseconds: 250), utcSecond: 1_000_000, fixMode: .threeDimensional,
                gpsMinusUTC: 18))
        #expect(good.rejection == nil && good.offset == .nanoseconds(250))
        #expect(d.utcOffset.offset == 37)
    }

    @Test func theValidatorAloneRejectsImplausibleSecondsWithoutOverflow() {
        var validator = ReferenceSampleValidator()
        let first = ReferenceSample(edge: PTPInstant(seconds: 10), utcSecond: 10, fixMode: .threeDimensional)
        #expect(validator.validate(first, offset: .zero, clockTrusted: false) == nil)
        let extreme = ReferenceSample(edge: PTPInstant(seconds: 11), utcSecond: Int64.min, fixMode: .threeDimensional)
        #expect(validator.validate(extreme, offset: .zero, clockTrusted: false) == .implausible)
    }

    @Test func theResolverIgnoresAnImplausibleReceiverCountAndExtremeSeconds() throws {
        let table = try LeapSecondTable.parse("3692217600 37\n").get()
        let resolver = UTCOffsetResolver(configuredOffset: 37, table: table)
        let status = resolver.resolve(atUTC: Int64.min, receiverGPSMinusUTC: Int.max)
        #expect(status.source != .gnss)
        _ = resolver.resolve(atUTC: Int64.max, receiverGPSMinusUTC: nil)
    }
}
