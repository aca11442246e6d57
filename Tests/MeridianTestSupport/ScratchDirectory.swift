import Foundation

/// A test's scratch directory, removed with what is in it.
public enum ScratchDirectory {
    /// Removes `path` and everything in it. A daemon or management server a test has just stopped may still be
    /// closing its Unix sockets there, each close unlinking its own path; `removeItem` gives up at an entry that
    /// vanished under it and leaves the directory behind. So the removal is tried again while the path is there
    /// (three times at most).
    public static func remove(_ path: String) {
        for _ in 0..<3 {
            try? FileManager.default.removeItem(atPath: path)
            if !FileManager.default.fileExists(atPath: path) { return }
        }
    }
}
