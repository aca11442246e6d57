extension NetworkInterface {
    /// An IPv6 address (16 bytes, network order) in full hexadecimal groups (`fd77:0:0:1:0:0:0:1`), the form
    /// `ip` accepts and the transports' error messages print.
    public static func ipv6Text(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: min(16, bytes.count - 1), by: 2)
            .map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
