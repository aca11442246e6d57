/// flagField (IEEE 1588-2019 13.3.2.8, table 37), as the 16-bit big-endian value on the wire:
/// octet 0 in the high byte. Undefined bits are kept so a message round-trips unchanged.
public struct PTPFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    // Octet 0.
    public static let alternateMaster = PTPFlags(rawValue: 0x0100)
    public static let twoStep = PTPFlags(rawValue: 0x0200)
    public static let unicast = PTPFlags(rawValue: 0x0400)
    public static let profileSpecific1 = PTPFlags(rawValue: 0x2000)
    public static let profileSpecific2 = PTPFlags(rawValue: 0x4000)
    // Octet 1.
    public static let leap61 = PTPFlags(rawValue: 0x0001)
    public static let leap59 = PTPFlags(rawValue: 0x0002)
    public static let currentUtcOffsetValid = PTPFlags(rawValue: 0x0004)
    public static let ptpTimescale = PTPFlags(rawValue: 0x0008)
    public static let timeTraceable = PTPFlags(rawValue: 0x0010)
    public static let frequencyTraceable = PTPFlags(rawValue: 0x0020)
    public static let synchronizationUncertain = PTPFlags(rawValue: 0x0040)
}
