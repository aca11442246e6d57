/// One printed field of a management response: how pmc prints it and how `--json` carries it.
public enum PMCValue: Sendable, Hashable {
    /// A signed decimal (`%d`, `%hhd`, `%PRId64`).
    case int(Int64)
    /// An unsigned decimal (`%u`, `%hhu`, `%PRIu64`).
    case uint(UInt64)
    /// Lower-case hex with `0x` and at least `digits` digits (`0x%02hhx`); a number in JSON.
    case hex(UInt64, digits: Int)
    /// A 0/1 flag as pmc prints it (`%d` of a bit); a JSON boolean.
    case flag(Bool)
    /// Text as pmc prints it (`true`/`false`, identities, names); a JSON string.
    case text(String)
    /// A decimal number already formatted as pmc does (`%.1f`, `%+.9f`); an unquoted JSON number.
    case decimal(String)

    /// pmc's rendering.
    public var pmcText: String {
        switch self {
        case .int(let v): String(v)
        case .uint(let v): String(v)
        case .hex(let v, let digits): "0x" + PMCValue.pad(String(v, radix: 16), digits)
        case .flag(let v): v ? "1" : "0"
        case .text(let s): s
        case .decimal(let s): s
        }
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `%.1f` of `raw` / 65536 (a TimeInterval in 2⁻¹⁶ ns), rounded to nearest, ties to even, as glibc.
    public static func scaledTenths(_ raw: Int64) -> String {
        let negative = raw < 0
        let magnitude = raw.magnitude
        let whole = magnitude >> 16
        let fraction = magnitude & 0xFFFF
        let scaled = fraction * 10
        var tenths = scaled >> 16
        let remainder = scaled & 0xFFFF
        if remainder > 0x8000 || (remainder == 0x8000 && tenths % 2 == 1) { tenths += 1 }
        var integer = whole
        if tenths == 10 {
            integer += 1
            tenths = 0
        }
        return (negative ? "-" : "") + String(integer) + "." + String(tenths)
    }

    /// `%+.9f` of `value` / 2⁴¹ (cumulativeScaledRateOffset), rounded to nearest, ties to even.
    public static func rateOffset(_ value: Int32) -> String {
        let magnitude = UInt64(value.magnitude) * 1_000_000_000
        var nanos = magnitude >> 41
        let remainder = magnitude & ((1 << 41) - 1)
        let half: UInt64 = 1 << 40
        if remainder > half || (remainder == half && nanos % 2 == 1) { nanos += 1 }
        let integer = nanos / 1_000_000_000
        let fraction = pad(String(nanos % 1_000_000_000), 9)
        return (value < 0 ? "-" : "+") + String(integer) + "." + fraction
    }
}
