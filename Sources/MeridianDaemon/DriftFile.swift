import Glibc
import Logging
import PTPCore

/// The learned frequency of the clock, kept across restarts so a restart re-locks without the first-lock
/// transient: one number, ppb, written atomically (temporary file, then rename).
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
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            logger.warning("cannot write drift file \(temporary): \(String(cString: strerror(errno)))")
            return
        }
        let text = "\(frequency.value)\n"
        let written = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        if written < 0 || rename(temporary, path) != 0 {
            logger.warning("cannot write drift file \(path): \(String(cString: strerror(errno)))")
        }
    }
}
