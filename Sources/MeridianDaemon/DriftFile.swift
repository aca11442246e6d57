import Glibc
import Logging
import PTPCore

/// The learned frequency of the clock, kept across restarts so a restart re-locks without the first-lock
/// transient: one number, ppb, written atomically and durably (``writeDurably(_:contents:)``).
///
/// What is saved is the servo's learned frequency (``ClockServo/learnedFrequency``: PI's integral term,
/// linreg's fitted slope), not the clock's current adjustment, which also holds the proportional answer
/// to the last offset (on software stamps thousands of ppb from Sync to Sync: a −40 ppm clock's file once
/// held 42,283 ppb). An unlocked servo has learned nothing, so the file is left as it is: a
/// daemon that never locked (no master, no reference) does not overwrite a good file with its start value.
enum DriftFile {
    static func load(_ path: String?, logger: Logger) -> PartsPerBillion? {
        guard let path else { return nil }
        guard case .success(let text) = ConfigurationLoader.readFile(path) else {
            logger.info("drift file \(path) not found; starting from the clock's current frequency")
            return nil
        }
        let trimmed = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).first.map(String.init) ?? ""
        guard let value = Double(trimmed), value.isFinite, abs(value) < 1e8 else {
            logger.warning("drift file \(path) does not hold a frequency in ppb; ignored")
            return nil
        }
        logger.info("frequency \(value) ppb from drift file \(path)")
        return PartsPerBillion(value)
    }

    static func save(_ path: String?, frequency learned: PartsPerBillion?, clock: ClockSource, logger: Logger) {
        guard let path, clock.steerable else { return }
        guard let frequency = learned else {
            logger.info("drift file \(path) left as it was: the servo is unlocked")
            return
        }
        let text = "\(frequency.value)\n"
        if let failure = writeDurably(path, contents: Array(text.utf8)) {
            logger.warning("cannot write drift file \(path): \(failure)")
        }
    }
}

extension DriftFile {
    /// Replaces the file at `path` with `contents` so that a crash or power loss leaves either the old file or
    /// the new one, never a torn one, and a hostile local user cannot redirect the write (issue #17; meridiand
    /// may run as root): the contents go to a new temporary file beside it, with a name no one can predict the
    /// moment before (pid and a random number), created with `O_CREAT|O_EXCL|O_NOFOLLOW` so an existing file or
    /// a symbolic link planted there is refused rather than written through; every byte is written (short
    /// writes continued), the file is `fsync`ed, renamed over `path`, and the directory is `fsync`ed so the
    /// rename itself is on disk. nil on success, else what failed (the temporary file is removed).
    ///
    /// The corresponding C functions are `open`, `write`, `fsync`, `close`, `rename` and `unlink`.
    static func writeDurably(_ path: String, contents: [UInt8]) -> String? {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "open \(temporary): \(String(cString: strerror(errno)))" }
        func fail(_ operation: String) -> String {
            let reason = "\(operation): \(String(cString: strerror(errno)))"
            close(fd)
            unlink(temporary)
            return reason
        }
        var offset = 0
        while offset < contents.count {
            let written = contents.withUnsafeBytes { raw in
                write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return fail("write \(temporary)")
            }
            if written == 0 {
                errno = EIO
                return fail("write \(temporary)")
            }
            offset += written
        }
        if fsync(fd) != 0 { return fail("fsync \(temporary)") }
        if close(fd) != 0 {
            let reason = "close \(temporary): \(String(cString: strerror(errno)))"
            unlink(temporary)
            return reason
        }
        if rename(temporary, path) != 0 {
            let reason = "rename \(temporary): \(String(cString: strerror(errno)))"
            unlink(temporary)
            return reason
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { return "open \(directory): \(String(cString: strerror(errno)))" }
        defer { close(directoryFD) }
        if fsync(directoryFD) != 0 { return "fsync \(directory): \(String(cString: strerror(errno)))" }
        return nil
    }
}
