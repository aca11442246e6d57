import Foundation
import MeridianConfig
import Testing

@testable import MeridianDaemon

/// Issue #17: `source_allow_list` and `acceptable_master_table` (IEEE 1588-2019 17.6): what they let through, and
/// a bad address as a `FILE:LINE` error.
struct SourceFilterTests {
    static let announce: [UInt8] = [0x0B, 0x02]
    static let sync: [UInt8] = [0x00, 0x02]

    @Test func theAllowListDropsEveryMessageOfOthersAndTheTableOnlyTheirAnnounces() {
        let master: [UInt8] = [10, 1, 2, 3]
        let other: [UInt8] = [10, 1, 2, 4]
        let allow = SourceFilter(allowedSources: [master])
        #expect(allow.verdict(source: master, bytes: Self.sync) == nil)
        #expect(allow.verdict(source: other, bytes: Self.sync) == .notAllowedSource)
        #expect(allow.verdict(source: other, bytes: Self.announce) == .notAllowedSource)
        let table = SourceFilter(acceptableMasters: [master])
        #expect(table.verdict(source: master, bytes: Self.announce) == nil)
        #expect(table.verdict(source: other, bytes: Self.announce) == .notAcceptableMaster)
        // 17.6 governs which masters qualify: other messages (a slave's Delay_Req) pass.
        #expect(table.verdict(source: other, bytes: Self.sync) == nil)
        #expect(SourceFilter().isEmpty && SourceFilter().verdict(source: other, bytes: Self.announce) == nil)
    }

    @Test func listsParseIPv4IPv6AndMAC() {
        let parsed = SourceFilter.parseList("10.0.0.1, fe80::1 00:11:22:aa:bb:cc ::ffff:10.0.0.2")
        #expect(parsed.bad == nil)
        #expect(
            parsed.value == [
                [10, 0, 0, 1], [0xFE, 0x80] + [UInt8](repeating: 0, count: 13) + [1], [0x00, 0x11, 0x22, 0xAA, 0xBB, 0xCC],
                [10, 0, 0, 2],
            ])
        #expect(SourceFilter.parseList("").value == nil)
        #expect(SourceFilter.parseList("10.0.0.1 10.0.0.300").bad == "10.0.0.300")
    }

    @Test func aBadAddressIsAFileLineError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-source-filter-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.conf").path
        try "[global]\nsource_allow_list 10.0.0.1\n[eth0]\nacceptable_master_table 10.0.0.1 gm.example\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        guard case .failure(let errors) = ConfigurationLoader.load(DaemonOptions(configFile: path)) else {
            Issue.record("the loader accepted gm.example")
            return
        }
        #expect(
            errors.diagnostics.map(\.description) == [
                "\(path):4: gm.example is a bad value for option acceptable_master_table: expected IPv4, IPv6 or MAC addresses separated by spaces or commas"
            ])
    }
}
