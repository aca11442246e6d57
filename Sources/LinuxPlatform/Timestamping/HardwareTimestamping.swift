import CLinuxShims
import Glibc
import SystemPackage

/// Hardware timestamping set-up of an interface (linuxptp's `hwts_init`).
public enum HardwareTimestamping {
    /// Which PTP-v2 receive filter to fall back to when the general one is refused.
    public enum FilterKind: Sendable, Hashable {
        /// UDP over IPv4 or IPv6: `HWTSTAMP_FILTER_PTP_V2_L4_EVENT`.
        case udp
        /// IEEE 802.3: `HWTSTAMP_FILTER_PTP_V2_L2_EVENT`.
        case ethernet
    }

    /// The requests tried in order: PTP v2 events on any transport, then the transport's own filter, both with
    /// the transmit type of `transmit` (linuxptp sk.c: `tx_type` from `time_stamping`, the same in both tries).
    public static func candidateConfigs(for kind: FilterKind, transmit: TransmitStampMode = .twoStep)
        -> [HardwareTimestampConfig]
    {
        let specific = kind == .udp ? HardwareTimestampConfig.filterPTPv2L4Event : HardwareTimestampConfig.filterPTPv2L2Event
        return [
            HardwareTimestampConfig(transmitType: transmit.transmitType, receiveFilter: HardwareTimestampConfig.filterPTPv2Event),
            HardwareTimestampConfig(transmitType: transmit.transmitType, receiveFilter: specific),
        ]
    }

    /// Whether the driver's answer still stamps what was asked: the same transmit type, and the same receive
    /// filter or `HWTSTAMP_FILTER_ALL` (drivers may widen a filter, never narrow it).
    public static func isAcceptable(requested: HardwareTimestampConfig, granted: HardwareTimestampConfig) -> Bool {
        granted.transmitType == requested.transmitType
            && (granted.receiveFilter == requested.receiveFilter || granted.receiveFilter == HardwareTimestampConfig.filterAll)
    }

    /// Checks the interface can do `mode`, and for hardware applies `SIOCSHWTSTAMP` with ptp4l's fallback.
    ///
    /// Software mode tolerates a driver that cannot answer `ETHTOOL_GET_TS_INFO` (as ptp4l does); hardware
    /// mode needs the answer. Returns the configuration in force for hardware, `nil` for software.
    ///
    /// The corresponding C function is `ioctl(SIOCSHWTSTAMP)`.
    /// With a one-step `transmit`, an interface whose `ETHTOOL_GET_TS_INFO` lacks that transmit type, or a driver
    /// that refuses or rewrites it, stops the port with ``TransportError/oneStepUnsupported(interface:mode:reason:)``:
    /// ptp4l fails there too, and Meridian never falls back to two-step behind the configuration's back.
    @discardableResult
    public static func prepare(
        interface: String, mode: TimestampingMode, filter: FilterKind, transmit: TransmitStampMode = .twoStep
    ) throws(TransportError) -> HardwareTimestampConfig? {
        let capabilities: TimestampingCapabilities
        do {
            capabilities = try TimestampingCapabilities.query(interface)
        } catch {
            if mode == .software, case .system = error { return nil }
            throw error
        }
        try capabilities.check(mode)
        guard mode == .hardware else { return nil }
        try capabilities.check(transmit)
        return try negotiate(interface: interface, filter: filter, summary: capabilities.summary, transmit: transmit) {
            config in
            var request = config.cValue
            let failure = try? NetworkInterface.withControlSocket(interface: interface) { fd -> Errno? in
                // errno is read here, before the control socket is closed.
                CLinuxShims_hwtstamp_set(fd, interface, &request) < 0 ? Errno(rawValue: errno) : nil
            }
            config = HardwareTimestampConfig(request)
            return failure ?? nil
        }
    }

    /// ptp4l's request sequence with the ioctl injected: `apply` performs `SIOCSHWTSTAMP` with the
    /// configuration (which the driver may rewrite in place) and returns the `errno` when it fails.
    ///
    /// Each candidate of ``candidateConfigs(for:)`` is tried in turn; the first one the driver takes is
    /// checked with ``isAcceptable(requested:granted:)``. A permission error stops at once with a hint.
    ///
    /// With a one-step `transmit`, a driver that refuses every request, or grants another transmit type, fails
    /// with ``TransportError/oneStepUnsupported(interface:mode:reason:)`` naming the `HWTSTAMP_TX_*` asked.
    public static func negotiate(
        interface: String, filter: FilterKind, summary: String, transmit: TransmitStampMode = .twoStep,
        apply: (inout HardwareTimestampConfig) -> Errno?
    ) throws(TransportError) -> HardwareTimestampConfig {
        var lastError = Errno.invalidArgument
        for request in candidateConfigs(for: filter, transmit: transmit) {
            var granted = request
            if let error = apply(&granted) {
                lastError = error
                if error == .permissionDenied || error == .notPermitted { break }
                continue
            }
            if isAcceptable(requested: request, granted: granted) {
                return granted
            }
            if transmit != .twoStep && granted.transmitType != request.transmitType {
                throw .oneStepUnsupported(
                    interface: interface, mode: transmit,
                    reason: "the driver answered tx_type \(granted.transmitType) instead of \(transmit.constantName)")
            }
            throw .timestampingUnsupported(
                interface: interface, requested: .hardware,
                supported:
                    "the driver changed the request to tx_type \(granted.transmitType) rx_filter \(granted.receiveFilter); "
                    + summary)
        }
        let needs = lastError == .permissionDenied || lastError == .notPermitted ? " (needs CAP_NET_ADMIN)" : ""
        if transmit != .twoStep && needs.isEmpty {
            throw .oneStepUnsupported(
                interface: interface, mode: transmit,
                reason: "ioctl(SIOCSHWTSTAMP) with \(transmit.constantName) failed: \(lastError)")
        }
        throw .system(operation: "ioctl(SIOCSHWTSTAMP)\(needs)", interface: interface, errno: lastError)
    }

    /// The configuration in force now, without changing it (ptp4l's `hwts_filter check`).
    ///
    /// The corresponding C function is `ioctl(SIOCGHWTSTAMP)`.
    public static func current(interface: String) throws(TransportError) -> HardwareTimestampConfig {
        var config = hwtstamp_config()
        try NetworkInterface.withControlSocket(interface: interface) { fd throws(TransportError) in
            if CLinuxShims_hwtstamp_get(fd, interface, &config) < 0 {
                throw .system(operation: "ioctl(SIOCGHWTSTAMP)", interface: interface, errno: Errno(rawValue: errno))
            }
        }
        return HardwareTimestampConfig(config)
    }
}
