import CLinuxShims
import Glibc
import LinuxPlatform
import Synchronization
import SystemPackage

/// Runs code inside a named network namespace (`/var/run/netns/NAME`, as `ip netns` makes them).
///
/// A namespace is entered per thread with `setns(2)`, so the body runs on a thread of its own that enters the
/// namespace and then ends; the caller's thread never changes namespace. Sockets opened in the body keep
/// their namespace for their whole life, so a transport opened here can be used from any thread afterwards.
/// This is how tests and benchmarks run many clocks on one machine.
public enum NetworkNamespace {
    /// Why entering a namespace failed.
    public enum NamespaceError: Error, Sendable, Hashable, CustomStringConvertible {
        case open(path: String, errno: Errno)
        case enter(name: String, errno: Errno)
        case thread(Errno)

        public var description: String {
            switch self {
            case .open(let path, let errno): "cannot open network namespace \(path): \(errno)"
            case .enter(let name, let errno): "cannot enter network namespace \(name): \(errno)"
            case .thread(let errno): "cannot start a namespace thread: \(errno)"
            }
        }
    }

    /// The file `ip netns` keeps for `name`.
    public static func path(of name: String) -> String {
        "/var/run/netns/\(name)"
    }

    /// Runs `body` on a thread that has entered network namespace `name`, and returns its result.
    ///
    /// The corresponding C function is `setns` with `CLONE_NEWNET`.
    public static func withNamespace<T: Sendable>(
        _ name: String, _ body: @escaping @Sendable () throws -> T
    ) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let path = path(of: name)
        let thread: PlatformThread
        do {
            thread = try PlatformThread.spawn {
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else {
                    let error = NamespaceError.open(path: path, errno: Errno(rawValue: errno))
                    outcome.withLock { $0 = .failure(error) }
                    return
                }
                defer { close(fd) }
                guard CLinuxShims_setns(fd, CLinuxShims_CLONE_NEWNET) == 0 else {
                    let error = NamespaceError.enter(name: name, errno: Errno(rawValue: errno))
                    outcome.withLock { $0 = .failure(error) }
                    return
                }
                let result = Result { try body() }
                outcome.withLock { $0 = result }
            }
        } catch {
            throw NamespaceError.thread(error)
        }
        thread.join()
        guard let result = outcome.withLock({ $0 }) else {
            throw NamespaceError.thread(.noSuchProcess)
        }
        return try result.get()
    }
}
