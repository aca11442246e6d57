import Glibc
import LinuxPlatform
import Synchronization

/// Whom the gpsd client believes (issue #17, `gpsd_user`): gpsd's port 2947 is unprivileged, so when gpsd is
/// down any local user can bind it and would be believed, reconnection after reconnection. On a loopback
/// address the client therefore checks who owns the server's socket (``TCPPeerOwner``) and talks only to
/// root (systemd's `gpsd.socket`, or gpsd started as root: the listening socket is root's) or gpsd's own user
/// (gpsd 3.22 accepts as the user it dropped to, `gpsd` on Debian). A gpsd on another host cannot be checked
/// this way; it is believed as before, and the connection line says so.
public struct GPSDPeerTrust: Sendable, Hashable {
    /// The uids trusted; nil trusts anyone (`gpsd_user any`).
    public var users: Set<uid_t>?

    public init(users: Set<uid_t>?) {
        self.users = users
    }

    /// Root and the user `user` (a name or a uid; `any` trusts everyone). A name that does not exist leaves
    /// root alone.
    public init(user: String) {
        if user == "any" {
            users = nil
            return
        }
        var trusted: Set<uid_t> = [0]
        if let uid = uid_t(user) {
            trusted.insert(uid)
        } else if let uid = Self.uid(named: user) {
            trusted.insert(uid)
        }
        users = trusted
    }

    /// The daemon's setting (`gpsd_user`, set once at start-up); by default root and the user `gpsd`.
    public static var configured: GPSDPeerTrust {
        get { shared.withLock { $0 } }
        set { shared.withLock { $0 = newValue } }
    }
    private static let shared = Mutex(GPSDPeerTrust(user: "gpsd"))

    /// nil when the server at the other end of `fd` may be believed, else why not.
    public func refusal(fd: CInt, address: String) -> String? {
        guard let users else { return nil }
        switch TCPPeerOwner.owner(ofPeerOf: fd) {
        case .local(let uid) where users.contains(uid): return nil
        case .local(let uid):
            let names = users.sorted().map { Self.name(of: $0) }.joined(separator: ", ")
            return "the server at \(address) runs as \(Self.name(of: uid)), not as \(names) (gpsd_user): not gpsd, not believed"
        case .remote: return nil
        case .unknown(let reason): return "cannot tell who serves \(address) (\(reason)): not believed"
        }
    }

    static func uid(named name: String) -> uid_t? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, let result else { return nil }
        return result.pointee.pw_uid
    }

    static func name(of uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, let result else { return "uid \(uid)" }
        return "\(String(cString: result.pointee.pw_name)) (uid \(uid))"
    }
}
