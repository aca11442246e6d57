/// Why a management message gets no answer at all (it is counted, never silently lost).
public enum ManagementDropReason: Error, Sendable, Hashable {
    /// Not a Management message.
    case notManagement
    /// Not exactly one TLV, or the TLV is not a MANAGEMENT TLV: linuxptp's `clock_manage` ignores
    /// such messages (`tlv_count != 1`), since there is no management ID to answer for.
    case notOneManagementTLV
    /// A RESPONSE or ACKNOWLEDGE: only GET, SET and COMMAND are requests (15.4.1.6).
    case notARequest
    /// targetPortIdentity names another clock (15.3.1).
    case otherClock
    /// Network request in another domain (ptp4l drops those on its PTP ports).
    case otherDomain
    /// More requests from one sender than its per-second allowance (issue #17; Meridian only, ptp4l has no limit).
    case rateLimited
    /// The socket's queue was full when it arrived (a flood faster than the server answers); Meridian only.
    case queueFull
}
