import PTPCore
import PTPManagement
import PTPWire
import Testing

struct PMCCommandParserTests {
    @Test
    func actionsAndIDsArePrefixesAsInPMC() throws {
        #expect(try PMCCommandParser.parse("GET DEFAULT_DATA_SET") == .request(action: .get, id: .defaultDataSet, data: nil))
        #expect(try PMCCommandParser.parse("g default") == .request(action: .get, id: .defaultDataSet, data: nil))
        #expect(try PMCCommandParser.parse("get time_status_np") == .request(action: .get, id: .timeStatusNP, data: nil))
        #expect(try PMCCommandParser.parse("GET MERIDIAN_STATUS_NP") == .request(action: .get, id: .meridianStatusNP, data: nil))
        #expect(try PMCCommandParser.parse("CMD ENABLE_PORT") == .request(action: .command, id: .enablePort, data: nil))
        #expect(try PMCCommandParser.parse("COMMAND DISABLE_PORT") == .request(action: .command, id: .disablePort, data: nil))
        #expect(throws: PMCCommandError.ambiguousID("PRIORITY")) { try PMCCommandParser.parse("GET PRIORITY") }
        #expect(throws: PMCCommandError.unknownID("BOGUS")) { try PMCCommandParser.parse("GET BOGUS") }
        #expect(throws: PMCCommandError.badAction("FETCH")) { try PMCCommandParser.parse("FETCH PRIORITY1") }
        #expect(throws: PMCCommandError.actionNotAllowed("SLAVE_ONLY", .set)) { try PMCCommandParser.parse("SET SLAVE_ONLY 1") }
    }

    @Test
    func setValuesParseLikePMC() throws {
        #expect(try PMCCommandParser.parse("SET PRIORITY1 100") == .request(action: .set, id: .priority1, data: .priority1(100)))
        #expect(try PMCCommandParser.parse("set domain 0x10") == .request(action: .set, id: .domain, data: .domain(16)))
        #expect(throws: PMCCommandError.badValue("300")) { try PMCCommandParser.parse("SET PRIORITY2 300") }
        let subscribe = try PMCCommandParser.parse("SET SUBSCRIBE_EVENTS_NP duration 10 NOTIFY_PORT_STATE on")
        var events = SubscribeEventsNP(duration: 10)
        events.set(0, subscribed: true)
        #expect(subscribe == .request(action: .set, id: .subscribeEventsNP, data: .subscribeEventsNP(events)))
        // linuxptp 4's parent-data-set event and Meridian's reference event, by name.
        let more = try PMCCommandParser.parse(
            "SET SUBSCRIBE_EVENTS_NP duration 10 NOTIFY_PORT_STATE off notify_parent_data_set on notify_meridian_status on")
        var moreEvents = SubscribeEventsNP(duration: 10)
        moreEvents.set(2, subscribed: true)
        moreEvents.set(32, subscribed: true)
        #expect(more == .request(action: .set, id: .subscribeEventsNP, data: .subscribeEventsNP(moreEvents)))
        let gm = try PMCCommandParser.parse(
            "SET GRANDMASTER_SETTINGS_NP clockClass 6 clockAccuracy 0x21 offsetScaledLogVariance 0x4e5d "
                + "currentUtcOffset 37 leap61 0 leap59 0 currentUtcOffsetValid 1 ptpTimescale 1 timeTraceable 1 "
                + "frequencyTraceable 1 timeSource 0x20")
        guard case .request(_, _, .grandmasterSettingsNP(let settings)?) = gm else {
            Issue.record("\(gm)")
            return
        }
        #expect(settings.clockQuality.clockClass == 6 && settings.clockQuality.offsetScaledLogVariance == 0x4E5D)
        #expect(settings.timeProperties.ptpTimescale && settings.timeProperties.timeSource == .gnss)
        #expect(throws: PMCCommandError.self) { try PMCCommandParser.parse("SET GRANDMASTER_SETTINGS_NP clockClass 6") }
        #expect(
            try PMCCommandParser.parse("SET USER_DESCRIPTION lab clock 3")
                == .request(action: .set, id: .userDescription, data: .userDescription("lab clock 3")))
    }

    @Test
    func targetAddressesAPortOrAll() throws {
        #expect(try PMCCommandParser.parse("TARGET *") == .target(.all))
        let pid = try #require(PortIdentity("769927.fffe.71c27a-2"))
        #expect(try PMCCommandParser.parse("target 769927.fffe.71c27a-2") == .target(pid))
    }
}
