import Glibc

/// Looks up a group for a socket's ownership (`uds_group`).
public enum UnixGroup {
    /// The id of group `text`: a name from the group database (`getgrnam_r`), or a decimal id; nil when
    /// no such group exists.
    ///
    /// The corresponding C function is `getgrnam_r`.
    public static func id(_ text: String) -> gid_t? {
        if let number = gid_t(text) { return number }
        guard !text.isEmpty else { return nil }
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getgrnam_r(text, &group, &buffer, buffer.count, &result)
        guard status == 0, let result else { return nil }
        return result.pointee.gr_gid
    }

    /// Whether this process is in group `id` (its effective group or a supplementary one).
    ///
    /// The corresponding C functions are `getegid` and `getgroups`.
    public static func isMember(_ id: gid_t) -> Bool {
        if getegid() == id { return true }
        var groups = [gid_t](repeating: 0, count: 1024)
        let count = getgroups(CInt(groups.count), &groups)
        return count > 0 && groups[..<Int(count)].contains(id)
    }
}
