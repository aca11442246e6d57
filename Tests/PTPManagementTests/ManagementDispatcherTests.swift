import MeridianTestSupport
import PTPCore
import PTPManagement
import PTPWire
import Testing

struct ManagementDispatcherTests {
    let dispatcher = ManagementDispatcher()
    let rw = ManagementRequester(privilege: .localReadWrite)

    static let clockIDs: [ManagementID] = [
        .userDescription, .defaultDataSet, .currentDataSet, .parentDataSet, .timePropertiesDataSet, .priority1,
        .priority2, .domain, .slaveOnly, .clockAccuracy, .traceabilityProperties, .timescaleProperties, .timeStatusNP,
        .grandmasterSettingsNP, .subscribeEventsNP, .synchronizationUncertainNP, .meridianStatusNP,
    ]
    static let portIDs: [ManagementID] = [
        .nullManagement, .clockDescription, .portDataSet, .logAnnounceInterval, .announceReceiptTimeout,
        .logSyncInterval, .versionNumber, .delayMechanism, .logMinPdelayReqInterval, .portDataSetNP,
        .portStatsNP, .portPropertiesNP,
    ]

    @Test(arguments: clockIDs)
    func clockGetAnswersOnceFromTheIngressPortAsPTP4LDoes(_ id: ManagementID) throws {
        var snapshot = ExampleSnapshot.snapshot(ports: 2)
        snapshot.defaultDS.priority1 = 77
        let request = Requests.make(.get, id, starting: 3, hops: 1, sequenceId: 42)
        let replies = Requests.replies(dispatcher.handle(request, snapshot: snapshot, requester: rw))
        try #require(replies.count == 1)
        let reply = replies[0]
        #expect(Requests.errorID(reply) == nil)
        #expect(reply.header.sourcePortIdentity == PortIdentity(clockIdentity: ExampleSnapshot.clock, portNumber: 0))
        #expect(reply.header.sequenceId == 42)
        guard case .management(let body) = reply.body else {
            Issue.record("not management")
            return
        }
        #expect(body.action == .response)
        #expect(body.targetPortIdentity == Requests.pmcSource)
        #expect(body.startingBoundaryHops == 2 && body.boundaryHops == 2)
        let data = try #require(Requests.data(reply))
        #expect(data.managementId == id)
        if id == .priority1 { #expect(data == .priority1(77)) }
        if id == .defaultDataSet, case .defaultDataSet(let dds) = data { #expect(dds.priority1 == 77) }
        // The reply survives the wire.
        #expect(try PTPMessage.decode(reply.encoded()) == reply)
    }

    @Test(arguments: portIDs)
    func portGetAnswersOncePerPortFromThatPort(_ id: ManagementID) throws {
        let snapshot = ExampleSnapshot.snapshot(ports: 2)
        let replies = Requests.replies(dispatcher.handle(Requests.make(.get, id), snapshot: snapshot, requester: rw))
        #expect(replies.map(\.header.sourcePortIdentity.portNumber) == [1, 2])
        #expect(replies.allSatisfy { Requests.errorID($0) == nil && Requests.data($0)?.managementId == id })
        let one = Requests.replies(
            dispatcher.handle(
                Requests.make(.get, id, target: PortIdentity(clockIdentity: ExampleSnapshot.clock, portNumber: 2)),
                snapshot: snapshot, requester: rw))
        #expect(one.map(\.header.sourcePortIdentity.portNumber) == [2])
    }

    @Test
    func portDataReflectsTheLiveDataSets() throws {
        var snapshot = ExampleSnapshot.snapshot(ports: 2)
        snapshot.ports[1].portDS.portState = .slave
        snapshot.ports[1].portDS.logSyncInterval = LogInterval(-4)
        let replies = Requests.replies(
            dispatcher.handle(Requests.make(.get, .portDataSet), snapshot: snapshot, requester: rw))
        guard case .portDataSet(let ds) = try #require(Requests.data(replies[1])) else {
            Issue.record("not PORT_DATA_SET")
            return
        }
        #expect(ds.state == .slave && ds.logSyncInterval == LogInterval(-4))
    }

    @Test
    func errorsCarryTheRightIDs() {
        let snapshot = ExampleSnapshot.snapshot()
        func error(_ request: PTPMessage, _ requester: ManagementRequester? = nil) -> [ManagementErrorID?] {
            Requests.replies(dispatcher.handle(request, snapshot: snapshot, requester: requester ?? rw))
                .map(Requests.errorID)
        }
        #expect(error(Requests.make(.get, ManagementID(rawValue: 0x7777))) == [.noSuchID])
        #expect(error(Requests.make(.get, ManagementID(rawValue: 0xC0FF))) == [.noSuchID])
        #expect(error(Requests.make(.get, .time)) == [.notSupported])
        #expect(error(Requests.make(.get, .defaultDataSet, data: [1, 2, 3])) == [.wrongLength])
        #expect(error(Requests.make(.set, .priority1)) == [.wrongLength])
        #expect(
            error(Requests.make(.set, .priority1, data: [100, 0]), ManagementRequester(privilege: .localReadOnly))
                == [.notSupported])
        #expect(
            error(
                Requests.make(.set, .priority1, data: [100, 0]),
                ManagementRequester(privilege: .network(writesAllowed: false), ingressPort: 1)) == [.notSupported])
        // ptp4l 3.1 answers NOT_SUPPORTED to a SET of a GET-only ID (never NOT_SETABLE), NO_SUCH_ID to
        // a SET or COMMAND of a port _NP ID, and NOT_SUPPORTED to SET/COMMAND NULL_MANAGEMENT
        // (measured with its own pmc and raw requests; InteropTests' ManagementErrorParityTests compares).
        #expect(error(Requests.make(.set, .slaveOnly, data: [1, 0])) == [.notSupported])
        #expect(error(Requests.make(.set, .defaultDataSet, data: [UInt8](repeating: 0, count: 20))) == [.notSupported])
        #expect(error(Requests.make(.set, .logSyncInterval, data: [1, 0])) == [.notSupported])
        #expect(error(Requests.make(.command, .portStatsNP)) == [.noSuchID])
        #expect(error(Requests.make(.set, .nullManagement)) == [.notSupported])
        #expect(error(Requests.make(.set, .defaultDataSet)) == [.wrongLength])
        #expect(error(Requests.make(.set, .domain, data: [200, 0])) == [.wrongValue])
        #expect(error(Requests.make(.set, .synchronizationUncertainNP, data: [7, 0])) == [.wrongValue])
        #expect(error(Requests.make(.command, .priority1)) == [.notSupported])
        #expect(error(Requests.make(.get, .enablePort)) == [.notSupported])
        #expect(
            error(Requests.make(.get, .portDataSet, target: PortIdentity(clockIdentity: .all, portNumber: 9)))
                == [.wrongValue])
        #expect(
            error(
                Requests.make(.set, .subscribeEventsNP, data: SubscribeEventsNP(duration: 5).encodedData),
                ManagementRequester(privilege: .network(writesAllowed: true), ingressPort: 1)) == [.notSupported])
    }

    @Test
    func whatIsNotForUsIsDroppedWithAReason() {
        let snapshot = ExampleSnapshot.snapshot()
        let other = PortIdentity(clockIdentity: ClockIdentity(rawValue: 42), portNumber: 0xFFFF)
        #expect(
            dispatcher.handle(Requests.make(.get, .priority1, target: other), snapshot: snapshot, requester: rw)
                == .drop(.otherClock))
        #expect(
            dispatcher.handle(Requests.make(.response, .priority1), snapshot: snapshot, requester: rw)
                == .drop(.notARequest))
        var twoTLVs = Requests.make(.get, .priority1)
        twoTLVs.tlvs.append(twoTLVs.tlvs[0])
        #expect(dispatcher.handle(twoTLVs, snapshot: snapshot, requester: rw) == .drop(.notOneManagementTLV))
        let network = ManagementRequester(privilege: .network(writesAllowed: false), ingressPort: 1)
        #expect(
            dispatcher.handle(Requests.make(.get, .priority1, domain: 5), snapshot: snapshot, requester: network)
                == .drop(.otherDomain))
    }

    @Test
    func setBecomesACommandAndIsAnsweredWithTheNewValue() throws {
        var snapshot = ExampleSnapshot.snapshot()
        let decision = dispatcher.handle(Requests.make(.set, .priority1, data: [100, 0]), snapshot: snapshot, requester: rw)
        guard case .apply(let commands, let pending) = decision else {
            Issue.record("\(decision)")
            return
        }
        #expect(commands == [.setPriority1(100)])
        snapshot.defaultDS.priority1 = 100
        let replies = dispatcher.complete(pending, result: .success(()), snapshot: snapshot)
        #expect(replies.count == 1 && Requests.data(replies[0]) == .priority1(100))
        let refused = dispatcher.complete(pending, result: .failure(.wrongValue), snapshot: snapshot)
        #expect(refused.map(Requests.errorID) == [.wrongValue])
        let network = ManagementRequester(privilege: .network(writesAllowed: true), ingressPort: 1)
        guard
            case .apply = dispatcher.handle(
                Requests.make(.set, .priority2, data: [9, 0]), snapshot: snapshot, requester: network)
        else {
            Issue.record("network SET with writes allowed was refused")
            return
        }
    }

    /// SET PORT_DATA_SET_NP, as ptp4l 3.1: each addressed port takes the neighborPropDelayThresh and
    /// answers its new PORT_DATA_SET_NP.
    @Test
    func setPortDataSetNPChangesTheThresholdOfEachPort() throws {
        var snapshot = ExampleSnapshot.snapshot(ports: 2)
        let data = ManagementData.portDataSetNP(PortDataSetNP(neighborPropDelayThresh: 5000, asCapable: false))
        let request = ManagementMessages.request(action: .set, id: .portDataSetNP, data: data, sequenceId: 3, sourcePort: 9)
        let decision = dispatcher.handle(request, snapshot: snapshot, requester: rw)
        guard case .apply(let commands, let pending) = decision else {
            Issue.record("\(decision)")
            return
        }
        #expect(
            commands == [
                .setNeighborPropDelayThresh(port: 1, nanoseconds: 5000), .setNeighborPropDelayThresh(port: 2, nanoseconds: 5000),
            ])
        for index in snapshot.ports.indices { snapshot.ports[index].dataSetNP.neighborPropDelayThresh = 5000 }
        let replies = dispatcher.complete(pending, result: .success(()), snapshot: snapshot)
        #expect(replies.map(Requests.data) == Array(repeating: .portDataSetNP(snapshot.ports[0].dataSetNP), count: 2))
    }

    @Test
    func enableAndDisablePortAreAcknowledgedPerPort() throws {
        let snapshot = ExampleSnapshot.snapshot(ports: 2)
        let decision = dispatcher.handle(Requests.make(.command, .disablePort), snapshot: snapshot, requester: rw)
        guard case .apply(let commands, let pending) = decision else {
            Issue.record("\(decision)")
            return
        }
        #expect(commands == [.disablePort(1), .disablePort(2)])
        let acks = dispatcher.complete(pending, result: .success(()), snapshot: snapshot)
        #expect(acks.count == 2)
        for ack in acks {
            guard case .management(let body) = ack.body else { continue }
            #expect(body.action == .acknowledge)
            #expect(Requests.data(ack) == .empty(.disablePort))
        }
    }

    @Test
    func subscriptionsAreAnsweredWithTheRequestersOwn() throws {
        let snapshot = ExampleSnapshot.snapshot()
        var events = SubscribeEventsNP(duration: 30)
        events.set(0, subscribed: true)
        let requester = ManagementRequester(privilege: .localReadWrite, subscription: events)
        let replies = Requests.replies(
            dispatcher.handle(Requests.make(.get, .subscribeEventsNP), snapshot: snapshot, requester: requester))
        #expect(Requests.data(replies[0]) == .subscribeEventsNP(events))
    }
}

extension SubscribeEventsNP {
    var encodedData: [UInt8] { ManagementData.subscribeEventsNP(self).encode() }
}
