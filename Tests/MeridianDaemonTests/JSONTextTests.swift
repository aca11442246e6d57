import Foundation
import PTPManagement
import Testing

@testable import MeridianDaemon

/// The daemon's JSON writer (JSONText) against Foundation's `JSONEncoder` with the options meridianctl uses: the
/// same documents give the same bytes.
struct JSONTextTests {
    static func foundation(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func ours(_ value: some Encodable) throws -> String {
        String(decoding: try JSONText.encode(value), as: UTF8.self)
    }

    /// A status document with every field, read from JSON so that no initialiser is needed; its strings carry
    /// what must be escaped, its numbers the formats a `Double` can take.
    static let fullStatus = #"""
        {"role":"grand\"master\\ / \u0001\u001f\t\n\r\b\fé✓","clockIdentity":"001122.fffe.334455","domainNumber":255,
         "priority1":0,"priority2":128,"clockClass":6,"grandmasterIdentity":"aabbcc.fffe.ddeeff","grandmasterClockClass":248,
         "grandmasterPriority1":128,"parentPortIdentity":"aabbcc.fffe.ddeeff-1","stepsRemoved":65535,
         "offsetFromMasterNs":-0.000001,"meanPathDelayNs":123456789.125,"gmPresent":true,
         "meridian":{"referenceKind":"gpsd","referenceState":"locked","satellites":12,"ppsValid":false,
           "lastPPSOffset":-9223372036854775808,"servoState":"s2","servoFrequencyPPB":-39989.5,"lastOffset":42,
           "lastPathDelay":1000,"inHoldover":false,"holdoverSeconds":4294967295,"virtualClockError":-3,
           "mgmtReceived":1,"mgmtMalformed":0,"mgmtDropped":0,"mgmtReplies":1,"mgmtErrors":0,"rmsOffset":7,
           "residualFrequencyPPB":1e-7,"frequencySkewPPB":1e21},
         "ports":[{"portIdentity":"001122.fffe.334455-1","portState":"MASTER","interface":"eth0","timestamping":"hardware",
           "delayMechanism":"E2E","logSyncInterval":-128,"peerMeanPathDelayNs":0},
          {"portIdentity":"001122.fffe.334455-2","portState":"PASSIVE","interface":"eth1","timestamping":"software",
           "delayMechanism":"P2P","logSyncInterval":127,"peerMeanPathDelayNs":2.5}]}
        """#

    @Test func aFullStatusDocumentIsWrittenAsJSONEncoderWritesIt() throws {
        let document = try JSONDecoder().decode(StatusReport.Document.self, from: Data(Self.fullStatus.utf8))
        let ours = try Self.ours(document)
        #expect(ours == (try Self.foundation(document)))
        // And it reads back to the same document.
        #expect(try JSONDecoder().decode(StatusReport.Document.self, from: Data(ours.utf8)) == document)
    }

    @Test func absentPropertiesAreLeftOutAsJSONEncoderDoes() throws {
        let document = try JSONDecoder().decode(StatusReport.Document.self, from: Data(#"{"role":"slave","ports":[]}"#.utf8))
        #expect(try Self.ours(document) == #"{"ports":[],"role":"slave"}"#)
        #expect(try Self.ours(document) == (try Self.foundation(document)))
    }

    @Test func theHistoryDocumentsArraysOfNumbers() throws {
        var history = History.Document()
        history.secondsAgo = [0, 0.0625, 1, 299.99999999999994, 1e-300]
        history.offsetNs = [-0.0, 12.5, -1_000_000, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        history.frequencyPPB = [-39_989, 0.1, 1e16, 123_456_789_012_345_680]
        #expect(try Self.ours(history) == (try Self.foundation(history)))
    }

    @Test func aNumberJSONCannotHoldIsRefusedAsJSONEncoderRefusesIt() {
        var history = History.Document()
        history.offsetNs = [1, .nan]
        #expect(throws: JSONText.Unrepresentable.self) { try Self.ours(history) }
        #expect(throws: (any Error).self) { try Self.foundation(history) }
        history.offsetNs = [.infinity]
        #expect(throws: JSONText.Unrepresentable.self) { try Self.ours(history) }
    }
}
