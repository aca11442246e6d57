/// Reads fields out of one line of gpsd's JSON. gpsd writes flat objects with known keys; this reads
/// integers and strings by key and never traps on malformed text.
///
/// PPS and TOFF are read from the line itself rather than from `gps_data_t`: libgps 3.22 decodes TOFF
/// into the PPS fields (see ../shared/tools/gpsd-sim/README.md), so the struct cannot be trusted for them.
struct GPSDLine {
    let text: String

    /// The value of `"class"`.
    var messageClass: String? { string("class") }

    func string(_ key: String) -> String? {
        guard let start = valueStart(key) else { return nil }
        var index = start
        guard index < text.utf8.endIndex, text.utf8[index] == UInt8(ascii: "\"") else { return nil }
        index = text.utf8.index(after: index)
        let begin = index
        while index < text.utf8.endIndex, text.utf8[index] != UInt8(ascii: "\"") {
            index = text.utf8.index(after: index)
        }
        guard index < text.utf8.endIndex else { return nil }
        return String(text.utf8[begin..<index])
    }

    func integer(_ key: String) -> Int64? {
        guard let start = valueStart(key) else { return nil }
        var index = start
        var digits = ""
        while index < text.utf8.endIndex {
            let byte = text.utf8[index]
            if (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte == UInt8(ascii: "-") && digits.isEmpty) {
                digits.append(Character(UnicodeScalar(byte)))
                index = text.utf8.index(after: index)
            } else {
                break
            }
        }
        return Int64(digits)
    }

    /// `.some(nil)` when `key` is absent, `.some(value)` when it holds an integer that fits an Int, nil when it
    /// is present but not such an integer (gpsd's optional fields).
    func checkedInteger(_ key: String) -> Int?? {
        guard valueStart(key) != nil else { return .some(nil) }
        guard let value = integer(key), let int = Int(exactly: value) else { return nil }
        return .some(int)
    }

    /// Index of the first non-space byte after `"key":`.
    private func valueStart(_ key: String) -> String.UTF8View.Index? {
        guard let range = text.range(of: "\"\(key)\":") else { return nil }
        var index = range.upperBound.samePosition(in: text.utf8) ?? text.utf8.endIndex
        while index < text.utf8.endIndex, text.utf8[index] == UInt8(ascii: " ") {
            index = text.utf8.index(after: index)
        }
        return index
    }

    /// A PPS or TOFF report's time pair, when all four fields are there.
    var timePair: GPSDTimePair? {
        guard let realSeconds = integer("real_sec"), let realNanoseconds = integer("real_nsec"),
            let clockSeconds = integer("clock_sec"), let clockNanoseconds = integer("clock_nsec")
        else { return nil }
        return GPSDTimePair(
            real: UnixTime(seconds: realSeconds, nanoseconds: realNanoseconds),
            clock: UnixTime(seconds: clockSeconds, nanoseconds: clockNanoseconds),
            precision: integer("precision").flatMap { Int(exactly: $0) })
    }
}

extension String {
    /// `range(of:)` without Foundation: the first occurrence of `needle`.
    func range(of needle: String) -> Range<String.Index>? {
        guard !needle.isEmpty else { return nil }
        var start = startIndex
        while start < endIndex {
            if self[start...].hasPrefix(needle) {
                return start..<(index(start, offsetBy: needle.count))
            }
            start = index(after: start)
        }
        return nil
    }
}
