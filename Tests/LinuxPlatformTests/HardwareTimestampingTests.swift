import CLinuxShims
import LinuxPlatform
import MeridianLab
import PTPCore
import Testing

@Suite("Hardware timestamping structures and errors")
struct HardwareTimestampingTests {
    /// What ethtool reports for an Intel i210: hardware and software stamps, PHC 0, TX off/on, several filters.
    var i210: ethtool_ts_info {
        var info = ethtool_ts_info()
        info.so_timestamping = TimestampingFlags([.softwareMode, .hardwareMode]).rawValue
        info.phc_index = 0
        info.tx_types = 1 << 0 | 1 << 1
        info.rx_filters = 1 << 0 | 1 << 1
        return info
    }

    /// What a veth reports: software only, no PHC.
    var veth: ethtool_ts_info {
        var info = ethtool_ts_info()
        info.so_timestamping = TimestampingFlags.softwareMode.rawValue
        info.phc_index = -1
        return info
    }

    @Test("ethtool_ts_info decodes: flags, PHC index, modes, and ethtool -T names")
    func decode() {
        let nic = TimestampingCapabilities(interfaceName: "eth0", info: i210)
        #expect(nic.phcIndex == 0)
        #expect(nic.supports(.hardware) && nic.supports(.software))
        #expect(nic.summary.contains("hardware-transmit") && nic.summary.contains("hardware-raw-clock"))
        #expect(nic.summary.contains("PTP Hardware Clock: 0"))
        #expect(nic.summary.contains("hardware transmit timestamp modes: off on"))
        #expect(nic.summary.contains("hardware receive filter modes: none all"))
        let virtual = TimestampingCapabilities(interfaceName: "veth0", info: veth)
        #expect(virtual.phcIndex == nil)
        #expect(virtual.supports(.software) && !virtual.supports(.hardware))
        #expect(
            virtual.summary == "capabilities: software-transmit software-receive software-system-clock; "
                + "PTP Hardware Clock: none; hardware transmit timestamp modes: none; hardware receive filter modes: none")
        #expect(
            throws: TransportError.timestampingUnsupported(interface: "veth0", requested: .hardware, supported: virtual.summary)
        ) {
            try virtual.check(.hardware)
        }
    }

    @Test("hardware flags without HWTSTAMP_TX_ON are not enough")
    func transmitTypeNeeded() {
        var info = i210
        info.tx_types = 1 << 0
        #expect(!TimestampingCapabilities(interfaceName: "eth0", info: info).supports(.hardware))
    }

    @Test("hwtstamp_config: requests in ptp4l's order and what a driver may answer")
    func hwtstampConfig() {
        #expect(MemoryLayout<hwtstamp_config>.size == 12)
        let udp = HardwareTimestamping.candidateConfigs(for: .udp)
        #expect(
            udp.map(\.receiveFilter) == [HardwareTimestampConfig.filterPTPv2Event, HardwareTimestampConfig.filterPTPv2L4Event])
        #expect(udp.allSatisfy { $0.transmitType == HardwareTimestampConfig.transmitOn })
        #expect(
            HardwareTimestamping.candidateConfigs(for: .ethernet).last?.receiveFilter
                == HardwareTimestampConfig.filterPTPv2L2Event)
        let request = udp[0]
        #expect(HardwareTimestampConfig(request.cValue) == request)
        // Widening to ALL is fine; narrowing, or turning TX off, is not.
        #expect(
            HardwareTimestamping.isAcceptable(
                requested: request,
                granted: HardwareTimestampConfig(
                    transmitType: HardwareTimestampConfig.transmitOn, receiveFilter: HardwareTimestampConfig.filterAll)))
        #expect(
            !HardwareTimestamping.isAcceptable(
                requested: request,
                granted: HardwareTimestampConfig(
                    transmitType: HardwareTimestampConfig.transmitOn, receiveFilter: HardwareTimestampConfig.filterPTPv2L4Event)))
        #expect(
            !HardwareTimestamping.isAcceptable(
                requested: request,
                granted: HardwareTimestampConfig(
                    transmitType: 0, receiveFilter: request.receiveFilter)))
    }

    @Test("the loopback interface answers ETHTOOL_GET_TS_INFO with software stamps and no PHC")
    func loopbackQuery() throws {
        let lo = try TimestampingCapabilities.query("lo")
        #expect(lo.supports(.software))
        #expect(lo.phcIndex == nil)
        #expect(throws: TransportError.noSuchInterface("nosuch0")) { try TimestampingCapabilities.query("nosuch0") }
        // The loopback driver has no hardware stamping configuration to report.
        #expect(throws: TransportError.self) { try HardwareTimestamping.current(interface: "lo") }
    }

    @Test(
        "asking a veth for hardware timestamping stops start-up naming the interface and what it supports",
        arguments: TransportKind.allCases)
    func hardwareOnVeth(kind: TransportKind) throws {
        let lab = try VethLab.create()
        defer { lab.remove() }
        let interface = lab.a.interface
        let error = try NetworkNamespace.withNamespace(lab.a.namespace) { () -> TransportError? in
            do {
                let transport = try kind.open(TransportConfiguration(interfaceName: interface, timestamping: .hardware))
                transport.close()
                return nil
            } catch let error as TransportError {
                return error
            }
        }
        guard case .timestampingUnsupported(let name, let requested, let supported) = error else {
            Issue.record("\(kind): expected timestampingUnsupported, got \(String(describing: error))")
            return
        }
        #expect(name == interface && requested == .hardware)
        #expect(supported.contains("software-transmit") && supported.contains("PTP Hardware Clock: none"))
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.hasPrefix("\(interface): hardware timestamping is not supported"))
    }
}
