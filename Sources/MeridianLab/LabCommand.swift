import Glibc
import SystemPackage

/// Runs a system tool (`ip`, `ethtool`) for lab set-up: namespaces, veth pairs, addresses.
///
/// Only tests and benchmarks use it (this target, `MeridianLab`, is never linked into meridiand); production
/// ports never shell out.
public enum LabCommand {
    /// Why a lab command failed: a message that says what to fix.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The Debian package that provides a lab tool, for the "not found" message.
    static func package(of program: String) -> String {
        switch program {
        case "ip", "tc", "bridge": "iproute2"
        case "ptp4l", "phc2sys", "pmc", "phc_ctl", "ts2phc": "linuxptp"
        default: program
        }
    }

    /// Runs `program` with `arguments` (searched in `PATH`), waits for it, and returns its standard output.
    /// Fails with the exit status and standard error when it does not exit 0.
    ///
    /// The corresponding C functions are `posix_spawnp` and `waitpid`.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String]) throws(Failure) -> String {
        var output: [CInt] = [0, 0]
        guard pipe(&output) == 0 else { throw Failure("pipe: \(Errno(rawValue: errno))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, output[1], 2)
        posix_spawn_file_actions_addclose(&actions, output[0])
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawnp(&pid, program, &actions, nil, argv, environ)
        close(output[1])
        defer { close(output[0]) }
        guard spawned == 0 else {
            let error = Errno(rawValue: spawned)
            if error == .noSuchFileOrDirectory {
                throw Failure("'\(program)' not found in PATH (install the Debian package \(package(of: program)))")
            }
            throw Failure("cannot run \(program): \(error)")
        }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(output[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            text += buffer[0..<n]
        }
        var status: CInt = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        let printed = String(decoding: text, as: UTF8.self)
        guard exited && code == 0 else {
            let how = exited ? "exited with \(code)" : "was killed by signal \(status & 0x7F)"
            throw Failure("\(program) \(arguments.joined(separator: " ")) \(how): \(printed)")
        }
        return printed
    }
}
