import PTPCore
import Testing

@testable import PTPWire

/// Random, truncated and bit-flipped inputs never trap the decoder: more than a million per run, across
/// every message type, seeded from valid messages and from linuxptp's captures. Whatever decodes must
/// re-encode to something that decodes to the same message (a stable round trip).
struct FuzzTests {
    static let iterationsPerSeed = 130_000
    static let seeds: [UInt64] = (1...8).map { 0xF022_0000 + $0 }

    @Test(arguments: seeds)
    func mutatedInputsNeverTrapAndDecodedOnesAreStable(_ seed: UInt64) throws {
        var generator = MessageGenerator(seed: seed)
        var corpus: [[UInt8]] = (0..<400).map { _ in generator.anyMessage().encoded() }
        for capture in Fixtures.captures {
            corpus += try Fixtures.ptpPackets(capture).map(\.payload)
        }
        var rng = SplitMix64(seed: seed ^ 0xABCD)
        var input: [UInt8] = []
        input.reserveCapacity(512)
        var decoded = 0
        var rejected = 0
        for _ in 0..<Self.iterationsPerSeed {
            input.removeAll(keepingCapacity: true)
            let base = corpus[Int.random(in: 0..<corpus.count, using: &rng)]
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:  // truncate
                input.append(contentsOf: base.prefix(Int.random(in: 0...base.count, using: &rng)))
            case 1:  // flip a few bits
                input.append(contentsOf: base)
                for _ in 0..<Int.random(in: 1...8, using: &rng) where !input.isEmpty {
                    input[Int.random(in: 0..<input.count, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                }
            case 2:  // overwrite bytes with random values, favouring length and type fields
                input.append(contentsOf: base)
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !input.isEmpty {
                    let hot = [0, 2, 3, 34, 36, 37, 44, 46, 47, 48, 50, 51]
                    let index =
                        Bool.random(using: &rng)
                        ? (hot.randomElement(using: &rng) ?? 0) : Int.random(in: 0..<input.count, using: &rng)
                    if index < input.count { input[index] = UInt8.random(in: 0...255, using: &rng) }
                }
            case 3:  // append garbage and claim it in messageLength
                input.append(contentsOf: base)
                for _ in 0..<Int.random(in: 1...64, using: &rng) { input.append(UInt8.random(in: 0...255, using: &rng)) }
                if input.count >= 4 {
                    input[2] = UInt8(truncatingIfNeeded: input.count >> 8)
                    input[3] = UInt8(truncatingIfNeeded: input.count)
                }
            case 4:  // pure random bytes with a plausible header start
                let count = Int.random(in: 0...128, using: &rng)
                for _ in 0..<count { input.append(UInt8.random(in: 0...255, using: &rng)) }
                if count > 1 { input[1] = 0x12 }
            default:  // splice two messages
                let other = corpus[Int.random(in: 0..<corpus.count, using: &rng)]
                input.append(contentsOf: base.prefix(Int.random(in: 0...base.count, using: &rng)))
                input.append(contentsOf: other.suffix(Int.random(in: 0...other.count, using: &rng)))
            }
            do {
                let message = try PTPMessage.decode(input)
                decoded += 1
                let again = try PTPMessage.decode(message.encoded())
                if again != message {
                    Issue.record("unstable round trip for input \(input)")
                    return
                }
            } catch {
                rejected += 1
            }
        }
        #expect(decoded + rejected == Self.iterationsPerSeed)
        // Both outcomes must be exercised, or the mutations are not reaching the interesting paths.
        #expect(decoded > Self.iterationsPerSeed / 20)
        #expect(rejected > Self.iterationsPerSeed / 20)
    }

    @Test func moreThanAMillionInputsPerRun() {
        #expect(Self.iterationsPerSeed * Self.seeds.count >= 1_000_000)
    }
}
