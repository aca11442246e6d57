import PTPCore
import PTPWire

/// The profile options a port carries beyond the default profile: IEEE 802.1AS's Follow_Up information
/// TLV and IEEE 1588-2019 16.2's PATH_TRACE, as linuxptp 3.1's port.c appends them.
extension PortEngine {
    /// IEEE 802.1 OUI 00-80-C2, subtype 1: the Follow_Up information TLV (802.1AS-2011 11.4.4.3).
    static let ieee8021OUI: UInt32 = 0x00_80C2

    /// The most clock identities one PATH_TRACE TLV carries: what fits in an Announce on a 1500-byte link
    /// (linuxptp `PATH_TRACE_MAX`).
    static let pathTraceLimit = 179

    /// The Follow_Up information TLV as a grandmaster sends it (linuxptp `follow_up_info_append`): every
    /// field zero — cumulativeScaledRateOffset (a rate ratio of exactly 1), gmTimeBaseIndicator,
    /// lastGmPhaseChange and scaledLastGmFreqChange.
    static var followUpInformationTLV: TLV {
        .organizationExtension(
            OrganizationExtensionTLV(
                organizationId: ieee8021OUI, organizationSubType: 1, dataField: [UInt8](repeating: 0, count: 22)))
    }

    /// The PATH_TRACE an Announce of this clock carries: the path the grandmaster's Announce came by, then
    /// this clock (16.2.2; linuxptp `path_trace_append`). Nil when it would not fit (ptp4l then sends the
    /// Announce without it).
    func pathTraceTLV() -> TLV? {
        let list = announceContent.pathTrace + [clockIdentity]
        guard list.count <= Self.pathTraceLimit else { return nil }
        return .pathTrace(list)
    }

    /// Keeps the path of a foreign master's latest Announce, for the instance to pass on when that master
    /// becomes the parent; at most as many senders as the foreign master table holds.
    mutating func rememberPathTrace(_ path: [ClockIdentity], from sender: PortIdentity) {
        pathTraces[sender] = path
        if pathTraces.count > ForeignMasterTable.capacity {
            let known = Set(foreignMasters.records.map(\.sender))
            pathTraces = pathTraces.filter { known.contains($0.key) || $0.key == sender }
        }
    }
}
