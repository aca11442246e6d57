import LinuxPlatform
import SystemPackage
import Testing

/// ptp4l's SIOCSHWTSTAMP sequence against scripted drivers (the ioctl is injected).
@Suite("Hardware timestamping negotiation")
struct HardwareNegotiationTests {
    typealias Config = HardwareTimestampConfig

    /// A driver that answers each request from a script and records what it was asked.
    final class ScriptedDriver {
        var requests: [Config] = []
        let answer: (Config) -> Result<Config, Errno>

        init(_ answer: @escaping (Config) -> Result<Config, Errno>) {
            self.answer = answer
        }

        func apply(_ config: inout Config) -> Errno? {
            requests.append(config)
            switch answer(config) {
            case .success(let granted):
                config = granted
                return nil
            case .failure(let error):
                return error
            }
        }
    }

    func negotiate(_ driver: ScriptedDriver, filter: HardwareTimestamping.FilterKind = .udp) throws(TransportError) -> Config {
        try HardwareTimestamping.negotiate(interface: "eth0", filter: filter, summary: "caps") { driver.apply(&$0) }
    }

    @Test("a driver that takes PTP v2 events gets just that one request")
    func firstAccepted() throws {
        let driver = ScriptedDriver { .success($0) }
        #expect(try negotiate(driver).receiveFilter == Config.filterPTPv2Event)
        #expect(driver.requests.count == 1)
    }

    @Test(
        "a driver that refuses the general filter gets the transport's own: L4 for UDP, L2 for Ethernet",
        arguments: [(HardwareTimestamping.FilterKind.udp, Config.filterPTPv2L4Event), (.ethernet, Config.filterPTPv2L2Event)])
    func fallback(filter: HardwareTimestamping.FilterKind, expected: Int32) throws {
        let driver = ScriptedDriver { $0.receiveFilter == Config.filterPTPv2Event ? .failure(.outOfRange) : .success($0) }
        #expect(try negotiate(driver, filter: filter).receiveFilter == expected)
        #expect(driver.requests.map(\.receiveFilter) == [Config.filterPTPv2Event, expected])
    }

    @Test("a driver that widens to HWTSTAMP_FILTER_ALL is accepted (i210-style)")
    func widened() throws {
        let driver = ScriptedDriver { .success(Config(transmitType: $0.transmitType, receiveFilter: Config.filterAll)) }
        #expect(try negotiate(driver).receiveFilter == Config.filterAll)
    }

    @Test("a driver that narrows the filter is refused with a message naming what it did")
    func narrowed() {
        let driver = ScriptedDriver {
            .success(Config(transmitType: $0.transmitType, receiveFilter: Config.filterPTPv2L4Event + 1))
        }
        do {
            _ = try negotiate(driver)
            Issue.record("a narrowed filter was accepted")
        } catch {
            #expect(error.description.contains("the driver changed the request"))
            #expect(error.description.hasPrefix("eth0: hardware timestamping is not supported"))
        }
    }

    @Test("without CAP_NET_ADMIN it stops at the first refusal and says what is needed")
    func permission() {
        let driver = ScriptedDriver { _ in .failure(.notPermitted) }
        #expect(
            throws: TransportError.system(
                operation: "ioctl(SIOCSHWTSTAMP) (needs CAP_NET_ADMIN)", interface: "eth0", errno: .notPermitted)
        ) {
            try negotiate(driver)
        }
        #expect(driver.requests.count == 1)
    }

    @Test("a driver that refuses everything reports the last errno")
    func refusesAll() {
        let driver = ScriptedDriver { _ in .failure(.outOfRange) }
        #expect(throws: TransportError.system(operation: "ioctl(SIOCSHWTSTAMP)", interface: "eth0", errno: .outOfRange)) {
            try negotiate(driver)
        }
        #expect(driver.requests.count == 2)
    }
}
