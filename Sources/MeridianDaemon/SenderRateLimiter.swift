import PTPCore

/// Per-sender request allowance of the management server (issue #17): a local client may send at most `limit`
/// requests in each one-second window; the rest are dropped and counted (`ManagementDropReason.rateLimited`).
/// pmc's largest batch (every GET it knows, 28) stays far below the read-write socket's allowance. At most
/// `capacity` senders are tracked: when the table is full, expired windows are forgotten first, and a newcomer
/// that still finds no room shares one allowance with every other such newcomer, so a flood of fresh addresses
/// (each pmc binds its own path) neither grows the table nor escapes the limit.
struct SenderRateLimiter<Key: Hashable> {
    let limit: Int
    let capacity: Int
    private var windows: [Key: (start: ContinuousClock.Instant, count: Int)] = [:]
    private var overflow: (start: ContinuousClock.Instant, count: Int)?

    init(limit: Int, capacity: Int = 1024) {
        self.limit = max(1, limit)
        self.capacity = max(1, capacity)
    }

    /// Whether a request from `sender` at `now` is within its allowance (and counts it).
    mutating func admit(_ sender: Key, now: ContinuousClock.Instant) -> Bool {
        func take(_ window: inout (start: ContinuousClock.Instant, count: Int)) -> Bool {
            if now - window.start >= .seconds(1) { window = (now, 0) }
            window.count += 1
            return window.count <= limit
        }
        if var window = windows[sender] {
            let admitted = take(&window)
            windows[sender] = window
            return admitted
        }
        if windows.count >= capacity {
            windows = windows.filter { now - $0.value.start < .seconds(1) }
        }
        if windows.count < capacity {
            var window = (start: now, count: 0)
            let admitted = take(&window)
            windows[sender] = window
            return admitted
        }
        var shared = overflow ?? (now, 0)
        let admitted = take(&shared)
        overflow = shared
        return admitted
    }

    var trackedSenders: Int { windows.count }
}
