import CLinuxShims
import Glibc
import SystemPackage

/// What an interface can timestamp, and its PHC, from `ETHTOOL_GET_TS_INFO` (what `ethtool -T` prints).
public struct TimestampingCapabilities: Sendable, Hashable {
    public var interfaceName: String
    /// `so_timestamping`: the `SOF_TIMESTAMPING_*` flags the interface supports.
    public var timestamping: TimestampingFlags
    /// The index N of the interface's PTP hardware clock `/dev/ptpN`, or `nil` (`phc_index` −1).
    public var phcIndex: Int32?
    /// Bit `HWTSTAMP_TX_*` set for each supported transmit type.
    public var transmitTypes: UInt32
    /// Bit `HWTSTAMP_FILTER_*` set for each supported receive filter.
    public var receiveFilters: UInt32

    public init(
        interfaceName: String, timestamping: TimestampingFlags, phcIndex: Int32?, transmitTypes: UInt32, receiveFilters: UInt32
    ) {
        self.interfaceName = interfaceName
        self.timestamping = timestamping
        self.phcIndex = phcIndex
        self.transmitTypes = transmitTypes
        self.receiveFilters = receiveFilters
    }

    /// Decodes the structure the ioctl filled.
    public init(interfaceName: String, info: ethtool_ts_info) {
        self.init(
            interfaceName: interfaceName, timestamping: TimestampingFlags(rawValue: info.so_timestamping),
            phcIndex: info.phc_index >= 0 ? info.phc_index : nil,
            transmitTypes: info.tx_types, receiveFilters: info.rx_filters)
    }

    /// Asks the driver.
    ///
    /// The corresponding C function is `ioctl(SIOCETHTOOL)` with `ETHTOOL_GET_TS_INFO`.
    public static func query(_ interfaceName: String) throws(TransportError) -> TimestampingCapabilities {
        var info = ethtool_ts_info()
        try NetworkInterface.withControlSocket(interface: interfaceName) { fd throws(TransportError) in
            if CLinuxShims_ethtool_ts_info(fd, interfaceName, &info) < 0 {
                let error = Errno(rawValue: errno)
                if error == .operationNotSupportedByDevice { throw .noSuchInterface(interfaceName) }
                throw .system(operation: "ioctl(ETHTOOL_GET_TS_INFO)", interface: interfaceName, errno: error)
            }
        }
        return TimestampingCapabilities(interfaceName: interfaceName, info: info)
    }

    /// Whether the interface can do `mode`.
    public func supports(_ mode: TimestampingMode) -> Bool {
        timestamping.isSuperset(of: mode.requiredCapabilities)
            && (mode == .software || transmitTypes & (1 << UInt32(HWTSTAMP_TX_ON.rawValue)) != 0)
    }

    /// Fails with a message naming the interface and what it does support, when it cannot do `mode`.
    public func check(_ mode: TimestampingMode) throws(TransportError) {
        guard supports(mode) else {
            throw .timestampingUnsupported(interface: interfaceName, requested: mode, supported: summary)
        }
    }

    /// Fails when a one-step `transmit` is not among the driver's `tx_types` (what `ethtool -T` lists as
    /// "onestep-sync"/"onestep-p2p"): the clear refusal before `SIOCSHWTSTAMP` is tried.
    public func check(_ transmit: TransmitStampMode) throws(TransportError) {
        guard transmit != .twoStep, transmitTypes & (1 << UInt32(transmit.transmitType)) == 0 else { return }
        throw .oneStepUnsupported(
            interface: interfaceName, mode: transmit, reason: "the driver does not offer \(transmit.constantName); \(summary)")
    }

    static let transmitTypeNames = ["off", "on", "onestep-sync", "onestep-p2p"]
    static let receiveFilterNames = [
        "none", "all", "some", "ptpv1-l4-event", "ptpv1-l4-sync", "ptpv1-l4-delay-req", "ptpv2-l4-event",
        "ptpv2-l4-sync", "ptpv2-l4-delay-req", "ptpv2-l2-event", "ptpv2-l2-sync", "ptpv2-l2-delay-req",
        "ptpv2-event", "ptpv2-sync", "ptpv2-delay-req", "ntp-all",
    ]

    private static func names(_ bits: UInt32, _ table: [String]) -> String {
        let set = table.indices.filter { $0 < 32 && bits & (1 << UInt32($0)) != 0 }.map { table[$0] }
        return set.isEmpty ? "none" : set.joined(separator: " ")
    }

    /// One line in `ethtool -T`'s words: capabilities, PHC, transmit modes and receive filters.
    public var summary: String {
        let capabilities = timestamping.names.isEmpty ? "none" : timestamping.names.joined(separator: " ")
        let phc = phcIndex.map { String($0) } ?? "none"
        return "capabilities: \(capabilities); PTP Hardware Clock: \(phc); "
            + "hardware transmit timestamp modes: \(Self.names(transmitTypes, Self.transmitTypeNames)); "
            + "hardware receive filter modes: \(Self.names(receiveFilters, Self.receiveFilterNames))"
    }
}
