import PTPCore
import Testing

@Suite("Array.drain")
struct ArrayDrainTests {
    final class Log {
        var entries: [String] = []
    }

    /// Writes to the log when it is freed: when the last reference to it goes.
    final class Token {
        let value: Int
        let log: Log
        init(_ value: Int, log: Log) {
            self.value = value
            self.log = log
        }
        deinit { log.entries.append("freed \(value)") }
    }

    @Test("hands every element over in order, moved: each is freed as soon as body is done with it, not at the end")
    func movesInOrder() {
        let log = Log()
        var list = (0..<3).map { Token($0, log: log) }
        list.reserveCapacity(16)
        let capacity = list.capacity
        let filler = Token(-1, log: log)
        list.drain(leaving: filler) { token in
            log.entries.append("body \(token.value)")
        }
        // A copy out of the array would leave the array's own reference until its removal at the end.
        #expect(log.entries == ["body 0", "freed 0", "body 1", "freed 1", "body 2", "freed 2"])
        #expect(list.isEmpty)
        #expect(list.capacity == capacity)
        #expect(filler.value == -1)
    }

    @Test("an empty array calls nothing")
    func empty() {
        var list: [Int] = []
        var calls = 0
        list.drain(leaving: 0) { _ in calls += 1 }
        #expect(calls == 0)
        #expect(list.isEmpty)
    }
}
