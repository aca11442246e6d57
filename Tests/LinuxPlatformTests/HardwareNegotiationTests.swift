import CLinuxShims
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

    // MARK: One-step (issue 13): linuxptp sk.c asks tx_type HWTSTAMP_TX_ONESTEP_SYNC / _P2P in both tries.

    func negotiate(_ driver: ScriptedDriver, transmit: TransmitStampMode) throws(TransportError) -> Config {
        try HardwareTimestamping.negotiate(interface: "eth0", filter: .udp, summary: "caps", transmit: transmit) {
            driver.apply(&$0)
        }
    }

    @Test(
        "time_stamping onestep / p2p1step ask their tx_type in every request",
        arguments: [
            (TransmitStampMode.oneStepSync, Int32(HWTSTAMP_TX_ONESTEP_SYNC.rawValue)),
            (.oneStepPeerDelay, Int32(HWTSTAMP_TX_ONESTEP_P2P.rawValue)), (.twoStep, Int32(HWTSTAMP_TX_ON.rawValue)),
        ])
    func oneStepTransmitType(mode: TransmitStampMode, expected: Int32) throws {
        #expect(expected == (mode == .twoStep ? 1 : mode == .oneStepSync ? 2 : 3))
        let driver = ScriptedDriver { $0.receiveFilter == Config.filterPTPv2Event ? .failure(.outOfRange) : .success($0) }
        let granted = try negotiate(driver, transmit: mode)
        #expect(granted.transmitType == expected)
        #expect(driver.requests.map(\.transmitType) == [expected, expected])
    }

    @Test("a driver that refuses HWTSTAMP_TX_ONESTEP_SYNC fails with a clear message, never falling back to two-step")
    func oneStepRefused() {
        let driver = ScriptedDriver {
            $0.transmitType == Int32(HWTSTAMP_TX_ON.rawValue) ? .success($0) : .failure(.outOfRange)
        }
        do {
            _ = try negotiate(driver, transmit: .oneStepSync)
            Issue.record("a refused one-step request was accepted")
        } catch {
            #expect(
                error
                    == .oneStepUnsupported(
                        interface: "eth0", mode: .oneStepSync,
                        reason: "ioctl(SIOCSHWTSTAMP) with HWTSTAMP_TX_ONESTEP_SYNC failed: \(Errno.outOfRange)"))
            #expect(
                error.description.hasPrefix("eth0: time_stamping onestep (one-step, HWTSTAMP_TX_ONESTEP_SYNC) is not supported"))
            #expect(error.description.hasSuffix("use time_stamping hardware and twoStepFlag 1 (two-step)"))
        }
        let onestep = Int32(HWTSTAMP_TX_ONESTEP_SYNC.rawValue)
        #expect(driver.requests.map(\.transmitType) == [onestep, onestep])
    }

    @Test("a driver that answers HWTSTAMP_TX_ON to a one-step request is refused, naming what it did")
    func oneStepRewritten() {
        let driver = ScriptedDriver {
            .success(Config(transmitType: Int32(HWTSTAMP_TX_ON.rawValue), receiveFilter: $0.receiveFilter))
        }
        #expect(
            throws: TransportError.oneStepUnsupported(
                interface: "eth0", mode: .oneStepPeerDelay,
                reason: "the driver answered tx_type 1 instead of HWTSTAMP_TX_ONESTEP_P2P")
        ) {
            try negotiate(driver, transmit: .oneStepPeerDelay)
        }
    }

    @Test("without CAP_NET_ADMIN a one-step request still says what is needed")
    func oneStepPermission() {
        let driver = ScriptedDriver { _ in .failure(.notPermitted) }
        #expect(
            throws: TransportError.system(
                operation: "ioctl(SIOCSHWTSTAMP) (needs CAP_NET_ADMIN)", interface: "eth0", errno: .notPermitted)
        ) {
            try negotiate(driver, transmit: .oneStepSync)
        }
    }

    @Test("ethtool tx_types without onestep-sync / onestep-p2p stop before SIOCSHWTSTAMP")
    func oneStepCapability() throws {
        let on = UInt32(1) << 1
        let nic = TimestampingCapabilities(
            interfaceName: "eth0", timestamping: .hardwareMode, phcIndex: 0, transmitTypes: 1 | on, receiveFilters: 1 << 12)
        try nic.check(.twoStep)
        #expect(throws: TransportError.self) { try nic.check(.oneStepSync) }
        do {
            try nic.check(.oneStepPeerDelay)
        } catch {
            #expect(error.description.contains("the driver does not offer HWTSTAMP_TX_ONESTEP_P2P"))
            #expect(error.description.contains("hardware transmit timestamp modes: off on"))
        }
        var oneStep = nic
        oneStep.transmitTypes |= 1 << 2
        try oneStep.check(.oneStepSync)
        #expect(throws: TransportError.self) { try oneStep.check(.oneStepPeerDelay) }
    }

    /// linuxptp udp.c/udp6.c: a one-step Sync leaves two bytes past its messageLength; nothing else does.
    @Test("one-step Sync over UDP is padded by two bytes; two-step Sync, other messages and two-step mode are not")
    func oneStepPadding() throws {
        var sync = [UInt8](repeating: 0, count: 44)
        sync[0] = 0x00
        sync[2] = 0
        sync[3] = 44
        #expect(TransportConfiguration.paddedForOneStep(sync, channel: .event, mode: .oneStepSync) == sync + [0, 0])
        #expect(TransportConfiguration.paddedForOneStep(sync, channel: .event, mode: .oneStepPeerDelay).count == 46)
        #expect(TransportConfiguration.paddedForOneStep(sync, channel: .event, mode: .twoStep) == sync)
        var twoStep = sync
        twoStep[6] = 0x02
        #expect(TransportConfiguration.paddedForOneStep(twoStep, channel: .event, mode: .oneStepSync) == twoStep)
        var delayReq = sync
        delayReq[0] = 0x01
        #expect(TransportConfiguration.paddedForOneStep(delayReq, channel: .event, mode: .oneStepSync) == delayReq)
        #expect(TransportConfiguration.paddedForOneStep(sync, channel: .general, mode: .oneStepSync) == sync)
        #expect(TransportConfiguration.paddedForOneStep([], channel: .event, mode: .oneStepSync) == [])
    }
}
