import CLinuxShims
import PTPCore

/// What `PPS_FETCH` returned (`struct pps_kinfo`): the last assert and clear edges with their sequence numbers.
public struct PPSEvent: Sendable, Hashable {
    public var assertSequence: UInt32
    /// System time of the last assert edge; `nil` before the first one.
    public var assertTime: PTPInstant?
    public var clearSequence: UInt32
    public var clearTime: PTPInstant?
    /// `current_mode` bits.
    public var mode: Int32

    public init(assertSequence: UInt32, assertTime: PTPInstant?, clearSequence: UInt32, clearTime: PTPInstant?, mode: Int32) {
        self.assertSequence = assertSequence
        self.assertTime = assertTime
        self.clearSequence = clearSequence
        self.clearTime = clearTime
        self.mode = mode
    }

    public init(_ info: pps_kinfo) {
        func time(_ t: pps_ktime, _ sequence: UInt32) -> PTPInstant? {
            sequence == 0 && t.sec == 0 && t.nsec == 0 ? nil : PTPInstant(seconds: t.sec, nanoseconds: Int64(t.nsec))
        }
        self.init(
            assertSequence: info.assert_sequence, assertTime: time(info.assert_tu, info.assert_sequence),
            clearSequence: info.clear_sequence, clearTime: time(info.clear_tu, info.clear_sequence),
            mode: info.current_mode)
    }

    /// The `struct pps_fdata` for a fetch that waits at most `timeout` (`nil`: wait forever, `PPS_TIME_INVALID`).
    public static func fetchRequest(timeout: PTPDuration?) -> pps_fdata {
        var data = pps_fdata()
        if let timeout, !timeout.isNegative {
            let nanoseconds = timeout.nanoseconds
            data.timeout.sec = nanoseconds / 1_000_000_000
            data.timeout.nsec = Int32(nanoseconds % 1_000_000_000)
        } else {
            data.timeout.flags = UInt32(PPS_TIME_INVALID)
        }
        return data
    }
}
