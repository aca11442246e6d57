/// A handle to the transmit timestamp of one sent event message (the kernel's side; the engine names its
/// messages with `PTPEngine.TransmitToken`).
///
/// `key` is the `SOF_TIMESTAMPING_OPT_ID` counter the kernel gives the send; the socket also keeps the
/// payload, so a stamp is paired only with the message it belongs to.
public struct TransmitStampHandle: Sendable, Hashable, CustomStringConvertible {
    public let key: UInt32

    public init(key: UInt32) {
        self.key = key
    }

    public var description: String { "tx#\(key)" }
}
