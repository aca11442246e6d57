/// RFC 5952 text of a 16-octet IPv6 address (what `inet_ntop` prints), without Foundation.
enum IPv6Text {
    static func format(_ bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return "" }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        // The longest run of two or more zero groups (the first on a tie) becomes "::".
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        let hexGroups = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hexGroups.joined(separator: ":") }
        let head = hexGroups[0..<bestStart].joined(separator: ":")
        let tail = hexGroups[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
