import PTPCore

extension ClockAccuracy {
    /// The enumerated accuracies of IEEE 1588-2019 7.6.2.6 table 5 with their upper bounds in ns, best first.
    static let table5: [(accuracy: ClockAccuracy, bound: Double)] = [
        (ClockAccuracy(rawValue: 0x17), 0.001), (ClockAccuracy(rawValue: 0x18), 0.0025),
        (ClockAccuracy(rawValue: 0x19), 0.01), (ClockAccuracy(rawValue: 0x1A), 0.025),
        (ClockAccuracy(rawValue: 0x1B), 0.1), (ClockAccuracy(rawValue: 0x1C), 0.25),
        (ClockAccuracy(rawValue: 0x1D), 1), (ClockAccuracy(rawValue: 0x1E), 2.5),
        (ClockAccuracy(rawValue: 0x1F), 10), (.within25ns, 25), (.within100ns, 100), (.within250ns, 250),
        (.within1us, 1e3), (.within2_5us, 2.5e3), (.within10us, 1e4), (.within25us, 2.5e4),
        (.within100us, 1e5), (.within250us, 2.5e5), (.within1ms, 1e6), (.within2_5ms, 2.5e6),
        (.within10ms, 1e7), (.within25ms, 2.5e7), (.within100ms, 1e8), (.within250ms, 2.5e8),
        (.within1s, 1e9), (.within10s, 1e10),
    ]

    /// The best table 5 value (IEEE 1588-2019 7.6.2.6) whose bound covers `error`: 30 ns gives "within
    /// 100 ns" (0x21); beyond 10 s gives 0x31; a non-finite error gives "unknown" (0xFE).
    public static func covering(_ error: PTPDuration) -> ClockAccuracy {
        covering(nanoseconds: error.magnitude.nanosecondsDouble)
    }

    /// ``covering(_:)`` for an error in nanoseconds.
    public static func covering(nanoseconds: Double) -> ClockAccuracy {
        guard nanoseconds.isFinite else { return .unknown }
        let magnitude = abs(nanoseconds)
        for entry in table5 where magnitude <= entry.bound { return entry.accuracy }
        return .beyond10s
    }

    /// The upper bound in ns a table 5 value stands for; nil for reserved, "beyond 10 s" and unknown.
    public var boundNanoseconds: Double? {
        Self.table5.first { $0.accuracy == self }?.bound
    }
}
