import CLinuxShims
import Glibc

/// Looks up the user meridiand runs as once it has opened what needs root (`user`, issue #17).
public enum UnixUser {
    /// A user of the passwd database: its name, uid and primary gid.
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var uid: uid_t
        public var gid: gid_t
    }

    /// The user `text`: a name (`getpwnam_r`) or a decimal uid (`getpwuid_r`); nil when the passwd database
    /// has no such user (a uid without an entry has no primary group, so it is not accepted either).
    ///
    /// The corresponding C functions are `getpwnam_r` and `getpwuid_r`.
    public static func lookup(_ text: String) -> Entry? {
        guard !text.isEmpty, text.utf8.count < 256 else { return nil }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status: CInt
        if let number = uid_t(text) {
            status = getpwuid_r(number, &entry, &buffer, buffer.count, &result)
        } else {
            status = getpwnam_r(text, &entry, &buffer, buffer.count, &result)
        }
        guard status == 0, let result, let name = result.pointee.pw_name else { return nil }
        return Entry(name: String(cString: name), uid: result.pointee.pw_uid, gid: result.pointee.pw_gid)
    }

    /// The groups `user` belongs to (its primary group first, then those the group database lists it in), as
    /// `initgroups(3)` would set them; at most 1,024.
    ///
    /// The corresponding C function is `getgrouplist`.
    public static func groups(of user: Entry) -> [gid_t] {
        var count: CInt = 1024
        var groups = [gid_t](repeating: 0, count: Int(count))
        guard getgrouplist(user.name, user.gid, &groups, &count) >= 0, count > 0 else { return [user.gid] }
        var listed = Array(groups[..<Int(min(count, 1024))])
        listed.removeAll { $0 == user.gid }
        return [user.gid] + listed
    }

    /// Whether the calling thread's real, effective and saved uids are all `uid`.
    ///
    /// The corresponding C function is `getresuid`.
    public static func isRunning(as uid: uid_t) -> Bool {
        var real: UInt32 = 0
        var effective: UInt32 = 0
        var saved: UInt32 = 0
        guard CLinuxShims_getresuid(&real, &effective, &saved) == 0 else { return false }
        return real == uid && effective == uid && saved == uid
    }
}
