import Glibc

/// Reads a leap-seconds file (`leapfile`) for `PTPEngine.LeapSecondTable.parse(_:)`: the edge does the I/O,
/// the engine the parsing. Files larger than 1 MiB are refused (the real one is 5 kB).
public enum LeapSecondsFile {
    public static let maximumSize = 1 << 20

    /// The file's text; throws with the path and the system's reason.
    public static func read(path: String) throws(ReferenceError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ReferenceError("leapfile \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8_192)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReferenceError("leapfile \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > maximumSize {
                throw ReferenceError("leapfile \(path): larger than \(maximumSize) bytes; not a leap-seconds list")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
