import MeridianConfig
import PTPCore
import PTPEngine

/// `[unicast_master_table]` sections and each port's `unicast_master_table` into the engine's
/// ``UnicastMasterTableConfiguration`` (linuxptp `unicast_client_initialize`), and their checks: a bad address, a
/// port naming a table that does not exist, a table with no master (`FILE:LINE`, exit 2); a master of another
/// transport than the port's is a warning and left out, as ptp4l warns "unicast master transport mismatch" and
/// never asks it.
enum UnicastMasterTables {
    static func networkProtocol(_ transport: String) -> NetworkProtocol {
        switch transport {
        case "UDPv6": .udpIPv6
        case "L2": .ieee802_3
        default: .udpIPv4
        }
    }

    /// The bytes of `text` for `transport` (IPv4 dotted quad, IPv6 text, or a MAC); nil when it is not one.
    static func address(_ text: String, transport: NetworkProtocol) -> PortAddress? {
        guard let bytes = SourceFilter.parseAddress(text) else { return nil }
        let expected = transport == .udpIPv4 ? 4 : transport == .udpIPv6 ? 16 : 6
        // parseAddress folds ::ffff:a.b.c.d to IPv4; a UDPv6 master keeps its 16 bytes.
        if transport == .udpIPv6 && bytes.count == 4 {
            return PortAddress(networkProtocol: transport, address: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + bytes)
        }
        return bytes.count == expected ? PortAddress(networkProtocol: transport, address: bytes) : nil
    }

    /// The table port `name` (on `transport`) asks, or nil when it names none (or one that does not exist:
    /// ``diagnostics(_:file:)`` has refused that already).
    static func table(_ c: Configuration, port name: String, transport: NetworkProtocol) -> UnicastMasterTableConfiguration? {
        let id = Int(c.integer("unicast_master_table", port: name))
        guard id != 0, let section = c.unicastMasterTables.first(where: { $0.tableID == id }) else { return nil }
        let masters = section.masters.compactMap { master -> PortAddress? in
            guard networkProtocol(master.transport) == transport else { return nil }
            return address(master.address, transport: transport)
        }
        return UnicastMasterTableConfiguration(
            logQueryInterval: LogInterval(section.logQueryInterval), masters: masters,
            requestDuration: UInt32(clamping: c.integer("unicast_req_duration", port: name)),
            peerAddress: section.peer.flatMap { address($0.address, transport: transport) })
    }

    static func diagnostics(_ c: Configuration, file: String) -> [ConfigDiagnostic] {
        var problems: [ConfigDiagnostic] = []
        func at(_ origin: String, _ problem: ConfigProblem, _ severity: ConfigDiagnostic.Severity = .error) {
            let colon = origin.lastIndex(of: ":")
            let line = colon.flatMap { Int(origin[origin.index(after: $0)...]) }
            let source = line != nil ? colon.map { String(origin[..<$0]) } ?? file : file
            problems.append(ConfigDiagnostic(file: source, line: line ?? 0, problem: problem, severity: severity))
        }
        for section in c.unicastMasterTables {
            for master in section.masters + (section.peer.map { [$0] } ?? []) {
                let transport = master.transport.isEmpty ? NetworkProtocol.udpIPv4 : networkProtocol(master.transport)
                let fits =
                    master.transport.isEmpty
                    ? SourceFilter.parseAddress(master.address) != nil : address(master.address, transport: transport) != nil
                if !fits {
                    let expected =
                        master.transport.isEmpty
                        ? "an IPv4, IPv6 or MAC address"
                        : ["UDPv4": "an IPv4 address", "UDPv6": "an IPv6 address", "L2": "a MAC address (00:11:22:33:44:55)"][
                            master.transport] ?? "an address"
                    at(
                        master.origin,
                        .badValue(
                            option: master.transport.isEmpty ? "peer_address" : master.transport, value: master.address,
                            expected: expected))
                }
            }
        }
        for port in c.ports {
            let id = Int(c.integer("unicast_master_table", port: port.interface))
            guard id != 0 else { continue }
            let origin = c.setting("unicast_master_table", port: port.interface)?.origin ?? file
            guard let section = c.unicastMasterTables.first(where: { $0.tableID == id }) else {
                at(origin, .unreadable("port \(port.interface): no [unicast_master_table] with table_id \(id)"))
                continue
            }
            let number = c.integer("network_transport", port: port.interface)
            let transport: NetworkProtocol = number == 2 ? .udpIPv6 : number == 3 ? .ieee802_3 : .udpIPv4
            let usable = section.masters.filter { networkProtocol($0.transport) == transport }
            for master in section.masters where networkProtocol(master.transport) != transport {
                at(
                    master.origin,
                    .unreadable(
                        "port \(port.interface): unicast master transport mismatch (\(master.transport) \(master.address) on a port that runs \(["UDPv4", "UDPv6", "L2"][Int(transport.rawValue) - 1])): not asked"
                    ), .warning)
            }
            // linuxptp `unicast_client_initialize`: a peer_address that is not an address of the port's transport
            // is "bad peer address" and the port does not start; here, a FILE:LINE error.
            if let peer = section.peer, SourceFilter.parseAddress(peer.address) != nil,
                address(peer.address, transport: transport) == nil
            {
                let name = ["UDPv4", "UDPv6", "L2"][Int(transport.rawValue) - 1]
                at(
                    peer.origin,
                    .unreadable(
                        "port \(port.interface): bad peer address \(peer.address): not a \(name) address, the port's transport"))
            }
            if usable.isEmpty {
                at(
                    origin,
                    .unreadable("port \(port.interface): [unicast_master_table] \(id) has no master on the port's transport"))
            }
        }
        return problems
    }
}
