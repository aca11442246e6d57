import CLinuxShims
import Glibc
import PTPCore
import Synchronization
import SystemPackage

/// A kernel PPS source, `/dev/ppsN` (RFC 2783 through `<linux/pps.h>`), for the reference issue.
public final class PPSDevice: Sendable {
    /// Mode bits (`PPS_CAPTUREASSERT`, …) of `PPS_GETCAP` and `PPS_SETPARAMS`.
    public struct Mode: OptionSet, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// The corresponding C constant is `PPS_CAPTUREASSERT`.
        public static let captureAssert = Self(rawValue: Int32(PPS_CAPTUREASSERT))
        /// The corresponding C constant is `PPS_CAPTURECLEAR`.
        public static let captureClear = Self(rawValue: Int32(PPS_CAPTURECLEAR))
        /// The corresponding C constant is `PPS_OFFSETASSERT`.
        public static let offsetAssert = Self(rawValue: Int32(PPS_OFFSETASSERT))
        /// The corresponding C constant is `PPS_OFFSETCLEAR`.
        public static let offsetClear = Self(rawValue: Int32(PPS_OFFSETCLEAR))
        /// The corresponding C constant is `PPS_CANWAIT`.
        public static let canWait = Self(rawValue: Int32(PPS_CANWAIT))
        /// The corresponding C constant is `PPS_TSFMT_TSPEC`.
        public static let timespecFormat = Self(rawValue: Int32(PPS_TSFMT_TSPEC))
    }

    public let path: String
    let descriptor: FileDescriptor
    private let closed = Atomic<Bool>(false)

    /// Opens the device.
    ///
    /// The corresponding C function is `open`.
    public init(path: String) throws(ClockError) {
        self.path = path
        self.descriptor = try DeviceFile.open(path, kind: "PPS device", writable: true)
    }

    deinit {
        close()
    }

    public func close() {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            try? descriptor.close()
        }
    }

    private func ioctl(_ operation: String, _ body: (CInt) -> CInt) throws(ClockError) {
        do {
            _ = try retryingSyscall { body(descriptor.rawValue) }
        } catch {
            throw .system(operation: "ioctl(\(path), \(operation))", errno: error.rawValue)
        }
    }

    /// What the source can do.
    ///
    /// The corresponding C function is `ioctl(PPS_GETCAP)`.
    public func capabilities() throws(ClockError) -> Mode {
        var mode: CInt = 0
        try ioctl("PPS_GETCAP") { CLinuxShims_pps_get_cap($0, &mode) }
        return Mode(rawValue: mode)
    }

    /// The parameters that capture `edges` with timespec stamps.
    public static func parameters(capturing edges: Mode) -> pps_kparams {
        var params = pps_kparams()
        params.api_version = PPS_API_VERS_1
        params.mode = edges.intersection([.captureAssert, .captureClear]).rawValue | Mode.timespecFormat.rawValue
        return params
    }

    /// Selects the edges to capture, refusing ones the source cannot do.
    ///
    /// The corresponding C function is `ioctl(PPS_SETPARAMS)`.
    public func configure(capturing edges: Mode = .captureAssert) throws(ClockError) {
        let supported = try capabilities()
        guard supported.isSuperset(of: edges.intersection([.captureAssert, .captureClear])) else {
            throw .unavailable(
                "\(path) cannot capture \(edges.rawValue); it supports mode 0x\(String(supported.rawValue, radix: 16))")
        }
        var params = Self.parameters(capturing: edges)
        try ioctl("PPS_SETPARAMS") { CLinuxShims_pps_set_params($0, &params) }
    }

    /// Waits up to `timeout` for the next edge and returns the source's latest events; a timeout is `nil`.
    /// Blocking: call it from a dedicated thread.
    ///
    /// The corresponding C function is `ioctl(PPS_FETCH)`.
    public func fetch(timeout: PTPDuration?) throws(ClockError) -> PPSEvent? {
        var data = PPSEvent.fetchRequest(timeout: timeout)
        let result = Result { () throws(Errno) in try retryingSyscall { CLinuxShims_pps_fetch(descriptor.rawValue, &data) } }
        switch result {
        case .success:
            return PPSEvent(data.info)
        case .failure(let error):
            if error == .timedOut { return nil }
            throw .system(operation: "ioctl(\(path), PPS_FETCH)", errno: error.rawValue)
        }
    }
}
