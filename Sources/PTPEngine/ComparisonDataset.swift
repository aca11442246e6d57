import PTPCore
import PTPWire

/// The data the data set comparison works on (IEEE 1588-2019 9.3.4, table 29): the grandmaster's
/// attributes, the steps to it, and the sender and receiver of the Announce that carried them.
public struct ComparisonDataset: Sendable, Hashable {
    public var grandmasterPriority1: UInt8
    public var grandmasterIdentity: ClockIdentity
    public var grandmasterClockQuality: ClockQuality
    public var grandmasterPriority2: UInt8
    public var stepsRemoved: UInt16
    /// The sourcePortIdentity of the Announce; for the local clock's own data set, its identity with port 0.
    public var senderIdentity: PortIdentity
    /// The port that received the Announce; for the local clock's own data set, its identity with port 0.
    public var receiverIdentity: PortIdentity
    /// The G.8275 localPriority (ITU-T G.8275.1 6.3.2): the receiving port's for a foreign master, the
    /// clock's own for D0. Only the G.8275 comparison reads it.
    public var localPriority: UInt8

    public init(
        grandmasterPriority1: UInt8, grandmasterIdentity: ClockIdentity, grandmasterClockQuality: ClockQuality,
        grandmasterPriority2: UInt8, stepsRemoved: UInt16, senderIdentity: PortIdentity,
        receiverIdentity: PortIdentity, localPriority: UInt8 = 128
    ) {
        self.localPriority = localPriority
        self.grandmasterPriority1 = grandmasterPriority1
        self.grandmasterIdentity = grandmasterIdentity
        self.grandmasterClockQuality = grandmasterClockQuality
        self.grandmasterPriority2 = grandmasterPriority2
        self.stepsRemoved = stepsRemoved
        self.senderIdentity = senderIdentity
        self.receiverIdentity = receiverIdentity
    }

    /// The data set of an Announce received on `receiver` (9.3.4).
    public init(announce: AnnounceBody, sender: PortIdentity, receiver: PortIdentity) {
        self.init(
            grandmasterPriority1: announce.grandmasterPriority1, grandmasterIdentity: announce.grandmasterIdentity,
            grandmasterClockQuality: announce.grandmasterClockQuality,
            grandmasterPriority2: announce.grandmasterPriority2, stepsRemoved: announce.stepsRemoved,
            senderIdentity: sender, receiverIdentity: receiver)
    }

    /// D0, the local clock's own data set (9.3.4 note; ptp4l `clock_default_ds`): itself as grandmaster,
    /// zero steps, its identity with port number 0 as both sender and receiver.
    public init(defaultDS: DefaultDS) {
        let me = PortIdentity(clockIdentity: defaultDS.clockIdentity, portNumber: 0)
        self.init(
            grandmasterPriority1: defaultDS.priority1, grandmasterIdentity: defaultDS.clockIdentity,
            grandmasterClockQuality: defaultDS.clockQuality, grandmasterPriority2: defaultDS.priority2,
            stepsRemoved: 0, senderIdentity: me, receiverIdentity: me)
    }
}
