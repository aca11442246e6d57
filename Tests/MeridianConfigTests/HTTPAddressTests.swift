import Testing

@testable import MeridianConfig

struct HTTPAddressTests {
    func parsed(_ text: String) -> HTTPAddress?? {
        guard case .success(let address) = HTTPAddress.parse(text) else { return .none }
        return .some(address)
    }

    @Test func hostPortV6AndNoneParse() {
        #expect(parsed("127.0.0.1:9319") == .some(HTTPAddress(host: "127.0.0.1", port: 9319)))
        #expect(parsed("0.0.0.0:80") == .some(HTTPAddress(host: "0.0.0.0", port: 80)))
        #expect(parsed("localhost:9319") == .some(HTTPAddress(host: "localhost", port: 9319)))
        #expect(parsed("[::1]:9319") == .some(HTTPAddress(host: "::1", port: 9319)))
        #expect(parsed("[fe80::1%eth0]:9319") == .some(HTTPAddress(host: "fe80::1%eth0", port: 9319)))
        #expect(parsed("127.0.0.1:0") == .some(HTTPAddress(host: "127.0.0.1", port: 0)))
        #expect(parsed("none") == .some(nil))
        #expect(HTTPAddress(host: "::1", port: 9319).description == "[::1]:9319")
    }

    @Test func everythingElseIsRefusedWithWhatWasExpected() {
        for bad in [
            "", "127.0.0.1", ":9319", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80", "::1:9319",
            "[::1]", "[::1]9319", "[]:80", "[1.2.3.4]:80", "a b:80", "host:80:81", "NONE", "127.0.0.1:9319 ",
            "127.0.0.1:99999999999999999999999",
        ] {
            #expect(parsed(bad) == .none, "\(bad) parsed")
        }
        guard case .failure(let problem) = HTTPAddress.parse("x") else { return }
        #expect("\(problem)".contains("host:port"))
    }

    @Test func theDefaultIsLoopbackAndAConfigurationErrorNamesItsLine() throws {
        let config = try ConfigParser.parse(
            main: ConfigSource(name: "m.conf", text: "[global]\n[eth0]\n"), portFiles: [], interfaces: [], overrides: [:]
        ).get()
        #expect(config.string("http_address") == "127.0.0.1:9319")
        #expect(config.httpAddressDiagnostics(file: "m.conf").isEmpty)
        let bad = try ConfigParser.parse(
            main: ConfigSource(name: "m.conf", text: "[global]\n\nhttp_address nowhere\n[eth0]\n"), portFiles: [],
            interfaces: [], overrides: [:]
        ).get()
        let diagnostics = bad.httpAddressDiagnostics(file: "m.conf").map(\.description)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.hasPrefix("m.conf:3: ") == true, "\(diagnostics)")
    }
}
