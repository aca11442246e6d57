import Testing

@testable import MeridianConfig

/// Issue #17: an integer option's text must never trap, whatever its signs and digits; a bad one is a
/// `file:line: message` error like any other.
struct IntegerOverflowTests {
    @Test func doubleSignedMinimumIsABadValueNotATrap() {
        // `--9223372036854775808`: the second sign used to reach Int64(…) and the negation overflowed.
        let result = ConfigParser.parse(
            main: ConfigSource(name: "gm.conf", text: "[global]\npriority1 --9223372036854775808\n[eth0]\n"))
        guard case .failure(let errors) = result else {
            Issue.record("accepted --9223372036854775808")
            return
        }
        #expect(
            errors.diagnostics.map(\.description) == [
                "gm.conf:2: --9223372036854775808 is a bad value for option priority1: expected an integer"
            ])
    }

    @Test func signedHexWithASecondSignIsABadValue() {
        for option in ["priority1", "utc_offset", "delayAsymmetry", "neighborPropDelayThresh", "logSyncInterval"] {
            let result = ConfigParser.parse(
                main: ConfigSource(name: "gm.conf", text: "[global]\n\(option) -0x-8000000000000000\n[eth0]\n"))
            guard case .failure(let errors) = result else {
                Issue.record("\(option) accepted -0x-8000000000000000")
                continue
            }
            #expect(errors.diagnostics.count == 1)
            #expect(errors.diagnostics.first?.line == 2)
        }
    }

    @Test func integerTextAtAndBeyondInt64Limits() {
        #expect(ConfigKey.parseInteger("-9223372036854775808") == Int64.min)
        #expect(ConfigKey.parseInteger("9223372036854775807") == Int64.max)
        #expect(ConfigKey.parseInteger("-0x8000000000000000") == Int64.min)
        #expect(ConfigKey.parseInteger("0x7fffffffffffffff") == Int64.max)
        #expect(ConfigKey.parseInteger("0x21") == 0x21)
        #expect(ConfigKey.parseInteger("+5") == 5)
        #expect(ConfigKey.parseInteger("-4") == -4)
        for bad in [
            "9223372036854775808", "0x8000000000000000", "-9223372036854775809", "-0x8000000000000001",
            "--9223372036854775808", "-0x-8000000000000000", "+-1", "-+1", "++1", "--1", "0x+1", "0x", "-", "+", "",
            "99999999999999999999999",
        ] {
            #expect(ConfigKey.parseInteger(bad) == nil, "\(bad)")
        }
    }

    @Test func extremeButWellFormedIntegersAreOutOfRange() {
        let result = ConfigParser.parse(
            main: ConfigSource(name: "gm.conf", text: "[global]\npriority1 -9223372036854775808\n[eth0]\n"))
        guard case .failure(let errors) = result else {
            Issue.record("accepted Int64.min for priority1")
            return
        }
        #expect(
            errors.diagnostics.map(\.description) == [
                "gm.conf:2: -9223372036854775808 is out of range for option priority1: 0 to 255"
            ])
    }
}

/// `fault_reset_interval` as ptp4l: log2 seconds in the int8 range, default 4, and ASAP in any case.
struct FaultResetIntervalOptionTests {
    @Test func asapAndLog2SecondsParseOthersAreErrors() throws {
        let key = try #require(ConfigKeys.key("fault_reset_interval"))
        #expect(key.defaultValue == .integer(4))
        #expect(key.scope == .port)
        #expect(key.parse("ASAP") == .success(.integer(ConfigKey.faultResetASAP)))
        #expect(key.parse("asap") == .success(.integer(-128)))
        #expect(key.parse("0") == .success(.integer(0)))
        #expect(key.parse("-3") == .success(.integer(-3)))
        #expect((try? key.parse("128").get()) == nil)
        #expect((try? key.parse("soon").get()) == nil)
        #expect(key.support == .implemented)
    }
}
