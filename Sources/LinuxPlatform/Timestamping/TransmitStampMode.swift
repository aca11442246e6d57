import CLinuxShims

/// What the NIC does with event messages as they leave (the `tx_type` of `SIOCSHWTSTAMP`), as ptp4l's
/// `time_stamping hardware`, `onestep` and `p2p1step` choose it (linuxptp sk.c `sk_timestamping_init`).
public enum TransmitStampMode: Sendable, Hashable, CustomStringConvertible {
    /// `HWTSTAMP_TX_ON`: every event message gets a transmit stamp back; Sync is two-step.
    case twoStep
    /// `HWTSTAMP_TX_ONESTEP_SYNC`: the NIC writes a Sync's originTimestamp as the frame leaves (IEEE 1588-2019
    /// 11.3.2 one-step), and gives no stamp back for it; other event messages are stamped as with `twoStep`.
    case oneStepSync
    /// `HWTSTAMP_TX_ONESTEP_P2P`: as `oneStepSync`, and the NIC also adds a Pdelay_Resp's turnaround time
    /// (its egress less the Pdelay_Req's ingress) to its correctionField (IEEE 1588-2019 11.4.2 one-step).
    case oneStepPeerDelay

    /// The `HWTSTAMP_TX_*` value asked of the driver.
    public var transmitType: Int32 {
        switch self {
        case .twoStep: Int32(HWTSTAMP_TX_ON.rawValue)
        case .oneStepSync: Int32(HWTSTAMP_TX_ONESTEP_SYNC.rawValue)
        case .oneStepPeerDelay: Int32(HWTSTAMP_TX_ONESTEP_P2P.rawValue)
        }
    }

    /// Whether a Sync leaves one-step (no transmit stamp comes back for it).
    public var oneStepSync: Bool { self != .twoStep }

    /// The kernel constant's name, for messages.
    public var constantName: String {
        switch self {
        case .twoStep: "HWTSTAMP_TX_ON"
        case .oneStepSync: "HWTSTAMP_TX_ONESTEP_SYNC"
        case .oneStepPeerDelay: "HWTSTAMP_TX_ONESTEP_P2P"
        }
    }

    /// ptp4l's `time_stamping` word for the mode.
    public var description: String {
        switch self {
        case .twoStep: "hardware"
        case .oneStepSync: "onestep"
        case .oneStepPeerDelay: "p2p1step"
        }
    }
}
