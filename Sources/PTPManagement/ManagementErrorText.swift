import PTPWire

/// The names of managementErrorId values (IEEE 1588-2019 15.5.4.4, table 109).
public enum ManagementErrorText {
    public static func name(_ id: ManagementErrorID) -> String {
        switch id {
        case .responseTooBig: "RESPONSE_TOO_BIG"
        case .noSuchID: "NO_SUCH_ID"
        case .wrongLength: "WRONG_LENGTH"
        case .wrongValue: "WRONG_VALUE"
        case .notSetable: "NOT_SETABLE"
        case .notSupported: "NOT_SUPPORTED"
        case .unpopulated: "UNPOPULATED"
        case .generalError: "GENERAL_ERROR"
        default: "0x" + PMCValue.pad(String(id.rawValue, radix: 16), 4)
        }
    }
}
