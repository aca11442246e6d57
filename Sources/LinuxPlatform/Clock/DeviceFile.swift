import Glibc
import PTPCore
import SystemPackage

/// Opening `/dev/ptpN` and `/dev/ppsN` with errors that say what is wrong.
enum DeviceFile {
    /// Opens `path`, turning "no such file" and "not permitted" into messages an operator can act on.
    ///
    /// The corresponding C function is `open`.
    static func open(_ path: String, kind: String, writable: Bool) throws(ClockError) -> FileDescriptor {
        do {
            return try FileDescriptor.open(FilePath(path), writable ? .readWrite : .readOnly, options: [.closeOnExec])
        } catch let error as Errno {
            switch error {
            case .noSuchFileOrDirectory, .noSuchAddressOrDevice, .operationNotSupportedByDevice:
                throw .unavailable("\(path): no such device; this machine has no \(kind) there")
            case .permissionDenied, .notPermitted:
                throw .notPermitted(
                    "\(path): permission denied; the daemon needs read\(writable ? "-write" : "") access to the \(kind)")
            default:
                throw .system(operation: "open(\(path))", errno: error.rawValue)
            }
        } catch {
            throw .unavailable("\(path): \(error)")
        }
    }
}
