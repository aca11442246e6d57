import PTPCore
import PTPManagement
import PTPWire
import Testing

/// UNICAST_MASTER_TABLE_NP and PORT_SERVICE_STATS_NP print as linuxptp's pmc prints them. linuxptp 3.1's pmc has
/// neither ID; the expected text is what pmc 4.4 (built from linuxptp's v4.4 tag) printed for a meridiand
/// unicast slave's replies, values and all: the RESPONSE survives our codec and prints the same here.
struct UnicastManagementFormatTests {
    static let port = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x4695_0FFF_FE1E_B710), portNumber: 1)

    static func printed(_ data: ManagementData) throws -> String {
        let request = ManagementMessages.request(
            action: .response, id: data.managementId, data: data, sequenceId: 0, sourcePort: 1)
        var message = request
        message.header.sourcePortIdentity = port
        let decoded = try PTPMessage.decode(message.encoded())
        return try #require(PMCFormatter.format(decoded))
    }

    @Test func theMasterTablePrintsAsPmcPrintsIt() throws {
        let entry = UnicastMasterEntryNP(
            portIdentity: PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x2A1C_73FF_FE21_0878), portNumber: 1),
            clockQuality: ClockQuality(
                clockClass: 248, clockAccuracy: ClockAccuracy(rawValue: 0xFE), offsetScaledLogVariance: 0xFFFF),
            selected: true, portState: 3, priority1: 128, priority2: 128,
            address: PortAddress(networkProtocol: .udpIPv4, address: [10, 77, 1, 1]))
        let text = try Self.printed(.unicastMasterTableNP(UnicastMasterTableNP(entries: [entry])))
        #expect(
            text == """
                \t46950f.fffe.1eb710-1 seq 0 RESPONSE MANAGEMENT UNICAST_MASTER_TABLE_NP 
                \t\tactual_table_size 1
                \t\tBM  identity                 address                            state     clockClass clockQuality offsetScaledLogVariance p1  p2
                \t\tyes 2a1c73.fffe.210878-1     10.77.1.1                          HAVE_SYDY 248        0xfe         0xffff                  128 128

                """)
    }

    @Test func serviceStatsPrintAsPmcPrintsThem() throws {
        let stats = PortServiceStatsNP(
            portIdentity: Self.port, announceTimeout: 1, delayTimeout: 178, unicastRequestTimeout: 2)
        let text = try Self.printed(.portServiceStatsNP(stats))
        #expect(
            text == """
                \t46950f.fffe.1eb710-1 seq 0 RESPONSE MANAGEMENT PORT_SERVICE_STATS_NP 
                \t\tportIdentity              46950f.fffe.1eb710-1
                \t\tannounce_timeout          1
                \t\tsync_timeout              0
                \t\tdelay_timeout             178
                \t\tunicast_service_timeout   0
                \t\tunicast_request_timeout   2
                \t\tmaster_announce_timeout   0
                \t\tmaster_sync_timeout       0
                \t\tqualification_timeout     0
                \t\tsync_mismatch             0
                \t\tfollowup_mismatch         0

                """)
    }
}
