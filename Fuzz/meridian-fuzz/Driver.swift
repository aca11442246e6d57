import Glibc
import MeridianFuzzing

#if MERIDIAN_LIBFUZZER
    /// libFuzzer's entry points: the target is named by MERIDIAN_FUZZ_TARGET (`scripts/fuzz.sh` sets it).
    /// Built only by `scripts/fuzz.sh` with `-sanitize=fuzzer,address`; libFuzzer supplies `main`.
    nonisolated(unsafe) var selected: FuzzTarget?

    @_cdecl("LLVMFuzzerInitialize")
    public func fuzzerInitialize(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
    ) -> CInt {
        if let directory = getenv("MERIDIAN_FUZZ_SEEDS").map({ String(cString: $0) }) {
            exit(Seeds.write(to: directory) ? 0 : 1)
        }
        guard let name = getenv("MERIDIAN_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name)
        else {
            complain("MERIDIAN_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue))\n")
            exit(2)
        }
        selected = target
        return 0
    }

    /// SwiftPM links an executable with `main` defined as `meridian_fuzz_main`; it hands over to libFuzzer's
    /// driver (what libFuzzer's own `main` would do).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafeRawPointer?, Int) -> CInt
    ) -> CInt

    @_cdecl("meridian_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var vector = argv
        return LLVMFuzzerRunDriver(&count, &vector, fuzzerTestOneInput)
    }

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzerTestOneInput(_ data: UnsafeRawPointer?, _ size: Int) -> CInt {
        selected?.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
        return 0
    }
#else
    /// Without libFuzzer: `meridian-fuzz TARGET FILE…` runs each file through the target once (replaying a
    /// corpus or a crash input in a plain build), `meridian-fuzz seeds DIR` writes the generated seeds.
    @main
    struct Driver {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            guard let first = arguments.first else {
                complain("usage: meridian-fuzz TARGET FILE… | meridian-fuzz seeds DIR\n")
                exit(2)
            }
            if first == "seeds", arguments.count == 2 {
                exit(Seeds.write(to: arguments[1]) ? 0 : 1)
            }
            guard let target = FuzzTarget(rawValue: first) else {
                complain("unknown target \(first); one of \(FuzzTarget.allCases.map(\.rawValue))\n")
                exit(2)
            }
            for path in arguments.dropFirst() {
                guard let bytes = readFile(path) else {
                    complain("cannot read \(path)\n")
                    exit(1)
                }
                target.run(bytes)
            }
            print("\(target.rawValue): \(arguments.count - 1) input(s) ran")
        }
    }
#endif

/// A line on standard error (`write(2)`: Glibc's `stderr` is shared mutable state to Swift 6).
func complain(_ text: String) {
    _ = text.withCString { write(2, $0, strlen($0)) }
}
