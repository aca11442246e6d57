/// tlvType (IEEE 1588-2019 14.1.1, table 52): an open registry, so unknown types survive a round trip.
public struct TLVType: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let management = TLVType(rawValue: 0x0001)
    public static let managementErrorStatus = TLVType(rawValue: 0x0002)
    public static let organizationExtension = TLVType(rawValue: 0x0003)
    public static let requestUnicastTransmission = TLVType(rawValue: 0x0004)
    public static let grantUnicastTransmission = TLVType(rawValue: 0x0005)
    public static let cancelUnicastTransmission = TLVType(rawValue: 0x0006)
    public static let acknowledgeCancelUnicastTransmission = TLVType(rawValue: 0x0007)
    public static let pathTrace = TLVType(rawValue: 0x0008)
    public static let alternateTimeOffsetIndicator = TLVType(rawValue: 0x0009)
    public static let organizationExtensionPropagate = TLVType(rawValue: 0x4000)
    public static let enhancedAccuracyMetrics = TLVType(rawValue: 0x4001)
    public static let organizationExtensionDoNotPropagate = TLVType(rawValue: 0x8000)
    public static let l1Sync = TLVType(rawValue: 0x8001)
    public static let portCommunicationAvailability = TLVType(rawValue: 0x8002)
    public static let protocolAddress = TLVType(rawValue: 0x8003)
    public static let slaveRxSyncTimingData = TLVType(rawValue: 0x8004)
    public static let slaveRxSyncComputedData = TLVType(rawValue: 0x8005)
    public static let slaveTxEventTimestamps = TLVType(rawValue: 0x8006)
    public static let cumulativeRateRatio = TLVType(rawValue: 0x8007)
    public static let pad = TLVType(rawValue: 0x8008)
    public static let authentication = TLVType(rawValue: 0x8009)
}

/// managementErrorId (IEEE 1588-2019 15.5.4.4, table 109): an open registry.
public struct ManagementErrorID: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let responseTooBig = ManagementErrorID(rawValue: 0x0001)
    public static let noSuchID = ManagementErrorID(rawValue: 0x0002)
    public static let wrongLength = ManagementErrorID(rawValue: 0x0003)
    public static let wrongValue = ManagementErrorID(rawValue: 0x0004)
    public static let notSetable = ManagementErrorID(rawValue: 0x0005)
    public static let notSupported = ManagementErrorID(rawValue: 0x0006)
    public static let unpopulated = ManagementErrorID(rawValue: 0x0007)
    public static let generalError = ManagementErrorID(rawValue: 0xFFFE)
}

extension ManagementErrorID: CustomStringConvertible {
    /// The names pmc prints.
    public var description: String {
        switch self {
        case .responseTooBig: "RESPONSE_TOO_BIG"
        case .noSuchID: "NO_SUCH_ID"
        case .wrongLength: "WRONG_LENGTH"
        case .wrongValue: "WRONG_VALUE"
        case .notSetable: "NOT_SETABLE"
        case .notSupported: "NOT_SUPPORTED"
        case .unpopulated: "UNPOPULATED"
        case .generalError: "GENERAL_ERROR"
        default: "UNKNOWN_ERROR_0x" + String(rawValue, radix: 16)
        }
    }
}
