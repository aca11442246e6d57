import Foundation
import LinuxPlatform
import PTPCore
import PTPWire
import Testing

/// What the daemon-level management tests share: running a client inside a namespace, pmc's printed
/// replies as fields, raw management requests on a Unix socket, and a meridiand that follows a ptp4l
/// grandmaster.
extension InteropLab {
    /// A meridiand (namespace b, virtual clock, `meridianConfig` added to [global]) following a ptp4l
    /// grandmaster of priority1 110 (namespace a). Returns once meridiand selected it and printed an
    /// offset, or nil (with an issue recorded) when it did not within 30 s.
    func startMeridianFollowingPTP4l(meridianConfig: String = "", portConfig: String = "", ptp4lConfig: String = "")
        throws -> FollowingLab?
    {
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let socket = file("m.sock").path
        let conf = try self.meridianConfig(
            "m", interface: lab.b.interface, "logAnnounceInterval 0\n\(meridianConfig)", port: portConfig)
        let gmSocket = file("gm.sock").path
        let gm = try write(
            "gm.cfg", "[global]\nfree_running 1\npriority1 110\nlogAnnounceInterval 0\nuds_address \(gmSocket)\n\(ptp4lConfig)\n")
        let grandmaster = try start(in: lab.a.namespace, ptp4l, ["-S", "-i", lab.a.interface, "-f", gm, "-m"], log: "gm.log")
        let daemon = try start(in: lab.b.namespace, meridiand, ["-f", conf], log: "m.log")
        let following = wait(seconds: 30) {
            log("m.log").contains("selected best master clock") && log("m.log").contains("master offset")
        }
        #expect(following, "meridiand did not follow ptp4l:\n\(log("m.log").suffix(2000))")
        guard following else { return nil }
        return FollowingLab(
            socket: socket, readOnlySocket: file("m-ro.sock").path, ptp4lSocket: gmSocket, meridiand: daemon,
            ptp4l: grandmaster)
    }
}

struct FollowingLab {
    var socket: String
    var readOnlySocket: String
    var ptp4lSocket: String
    var meridiand: Process
    /// The ptp4l grandmaster (`ip netns exec` execs it: its pid is ptp4l's).
    var ptp4l: Process
}

/// pmc's printed replies: `\t<source> seq N <ACTION> MANAGEMENT <ID> ` and `\t\t<name> <value>` lines.
struct PMCReply {
    var source: String
    var action: String
    var managementID: String
    var fields: [(name: String, value: String)]

    static func parse(_ text: String) -> [PMCReply] {
        var replies: [PMCReply] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("\t\t"), !replies.isEmpty {
                let body = line.drop { $0 == "\t" }
                let name = body.prefix { $0 != " " }
                let value = body.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
                replies[replies.count - 1].fields.append((String(name), value))
            } else if line.hasPrefix("\t") {
                let words = line.split(separator: " ")
                guard words.count >= 5, words[1] == "seq" else { continue }
                // pmc prints no ID after MANAGEMENT for NULL_MANAGEMENT.
                let id = words[4] != "MANAGEMENT" ? String(words[4]) : words.count >= 6 ? String(words[5]) : "NULL_MANAGEMENT"
                replies.append(
                    PMCReply(
                        source: words[0].trimmingCharacters(in: .whitespaces), action: String(words[3]),
                        managementID: id, fields: []))
            }
        }
        return replies
    }
}

/// Raw management requests on a Unix datagram socket, to ask ptp4l and meridiand the same thing, byte
/// for byte, including what pmc cannot send (unknown IDs, wrong lengths, other actions).
struct ManagementProbe {
    enum Answer: Equatable, CustomStringConvertible {
        case response(action: UInt8, id: UInt16)
        case error(action: UInt8, errorId: UInt16, id: UInt16)

        var description: String {
            switch self {
            case .response(let action, let id): "action \(action) RESPONSE id 0x\(String(id, radix: 16))"
            case .error(let action, let error, let id):
                "action \(action) ERROR 0x\(String(error, radix: 16)) id 0x\(String(id, radix: 16))"
            }
        }
    }

    static let get: UInt8 = 0, set: UInt8 = 1, response: UInt8 = 2, command: UInt8 = 3, acknowledge: UInt8 = 4

    /// A management message (IEEE 1588-2019 15.4) addressed to every port of every clock, with one
    /// MANAGEMENT TLV; `tlvLength` overrides the TLV's lengthField.
    static func request(
        action: UInt8, id: UInt16, data: [UInt8] = [], domain: UInt8 = 0, sequence: UInt16 = 1, tlvLength: UInt16? = nil
    ) -> [UInt8] {
        func be(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(truncatingIfNeeded: v)] }
        let tlv = be(0x0001) + be(tlvLength ?? UInt16(2 + data.count)) + be(id) + data
        let body = [UInt8](repeating: 0xFF, count: 10) + [0, 0, action & 0x0F, 0]
        let total = UInt16(34 + body.count + tlv.count)
        var header: [UInt8] = [0x0D, 0x02] + be(total) + [domain, 0, 0, 0]
        header += [UInt8](repeating: 0, count: 12)  // correctionField, messageTypeSpecific
        header += [UInt8](repeating: 0, count: 8) + be(UInt16(truncatingIfNeeded: getpid()))  // sourcePortIdentity
        header += be(sequence) + [0x04, 0x7F]
        return header + body + tlv
    }

    let socket: UnixDatagramSocket

    init(path: String) throws {
        socket = try UnixDatagramSocket.bind(path: path, mode: 0o600)
    }

    /// Sends `bytes` to `server` and collects the answers until none comes for 150 ms.
    func ask(_ server: String, _ bytes: [UInt8]) -> [Answer] {
        while (try? socket.receive(timeoutMilliseconds: 0)) ?? nil != nil {}
        guard (try? socket.send(bytes, to: UnixSocketAddress(path: server))) != nil else { return [] }
        var answers: [Answer] = []
        while let datagram = try? socket.receive(timeoutMilliseconds: 150) {
            guard let message = try? PTPMessage.decode(datagram.bytes), case .management(let body) = message.body,
                message.tlvs.count == 1
            else { continue }
            switch message.tlvs[0] {
            case .management(let tlv): answers.append(.response(action: body.action.rawValue, id: tlv.managementId.rawValue))
            case .managementErrorStatus(let e):
                answers.append(
                    .error(action: body.action.rawValue, errorId: e.managementErrorId.rawValue, id: e.managementId.rawValue))
            default: continue
            }
        }
        return answers
    }
}
