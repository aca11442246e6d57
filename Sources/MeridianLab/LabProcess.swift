import Glibc
import Synchronization
import SystemPackage

/// A lab helper process (ptp4l, a traffic source) started in the background and ended by its own pid.
public final class LabProcess: Sendable {
    public let pid: pid_t
    private let reaped = Atomic<Bool>(false)

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `program` with `arguments` (searched in `PATH`), its output discarded.
    ///
    /// The corresponding C function is `posix_spawnp`.
    public static func spawn(_ program: String, _ arguments: [String]) throws(LabCommand.Failure) -> LabProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawnp(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw LabCommand.Failure("cannot start \(program): \(Errno(rawValue: spawned))")
        }
        return LabProcess(pid: pid)
    }

    /// Whether it is still running (not yet exited and reaped).
    ///
    /// The corresponding C function is `waitpid` with `WNOHANG`.
    public var isRunning: Bool {
        guard !reaped.load(ordering: .acquiring) else { return false }
        var status: CInt = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            reaped.store(true, ordering: .releasing)
            return false
        }
        return true
    }

    /// Sends SIGTERM to this process only, then SIGKILL if it has not gone within 2 s, and reaps it.
    ///
    /// The corresponding C functions are `kill` and `waitpid`.
    public func terminate() {
        guard !reaped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var status: CInt = 0
        kill(pid, SIGTERM)
        for _ in 0..<200 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    deinit {
        terminate()
    }
}
