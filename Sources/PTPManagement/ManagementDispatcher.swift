import PTPCore
import PTPWire

/// Decides the answer to a management request (IEEE 1588-2019 clause 15) from a
/// ``ManagementSnapshot``, the way linuxptp 3.1's `clock_manage` and `port_manage` do, so that a
/// stock `pmc` cannot tell Meridian from ptp4l:
///
/// - targetPortIdentity: a clockIdentity that is neither ours nor all-ones is not for us (dropped;
///   forwarding across boundary hops is the daemon's job). Clock-wide IDs are answered once, from the
///   identity of the port the request came in on (port 0 for the Unix sockets). Port IDs are
///   answered once per addressed port (portNumber 0xFFFF addresses all), each from its own identity;
///   a port number we do not have gets WRONG_VALUE (IEEE 1588 interpretation #21, as ptp4l).
/// - errors: the ids ptp4l 3.1 answers for the same request (see ``handle(_:snapshot:requester:)``
///   for the order): NOT_SUPPORTED, NO_SUCH_ID, WRONG_LENGTH, WRONG_VALUE.
/// - a SET or COMMAND that is allowed yields ``ManagementCommand``s; the reply is built after the
///   daemon applied them (``complete(_:result:snapshot:)``), from the new state.
public struct ManagementDispatcher: Sendable {
    public init() {}

    /// IDs the clock answers itself (linuxptp `clock_management_fill_response`), plus Meridian's.
    static let clockIDs: Set<ManagementID> = [
        .userDescription, .defaultDataSet, .currentDataSet, .parentDataSet, .timePropertiesDataSet, .priority1,
        .priority2, .domain, .slaveOnly, .clockAccuracy, .traceabilityProperties, .timescaleProperties,
        .timeStatusNP, .grandmasterSettingsNP, .subscribeEventsNP, .synchronizationUncertainNP, .meridianStatusNP,
    ]
    /// Clock IDs that accept SET.
    static let settableClockIDs: Set<ManagementID> = [
        .priority1, .priority2, .domain, .userDescription, .grandmasterSettingsNP, .subscribeEventsNP,
        .synchronizationUncertainNP,
    ]
    /// IDs each port answers (linuxptp `port_management_fill_response`).
    static let portIDs: Set<ManagementID> = [
        .nullManagement, .clockDescription, .portDataSet, .logAnnounceInterval, .announceReceiptTimeout,
        .logSyncInterval, .versionNumber, .delayMechanism, .logMinPdelayReqInterval, .portDataSetNP,
        .portPropertiesNP, .portStatsNP, .portServiceStatsNP, .unicastMasterTableNP,
    ]
    /// Port COMMANDs.
    static let portCommandIDs: Set<ManagementID> = [.enablePort, .disablePort]

    /// The decision for the message `message` from `requester`.
    public func handle(
        _ message: PTPMessage, snapshot: ManagementSnapshot, requester: ManagementRequester
    ) -> ManagementDecision {
        switch ManagementRequest.parse(message) {
        case .failure(let reason): return .drop(reason)
        case .success(let request): return handle(request, snapshot: snapshot, requester: requester)
        }
    }

    /// Standard clock-wide IDs Meridian does not implement: NOT_SUPPORTED whatever the action, as
    /// linuxptp 3.1's `clock_manage` answers them.
    static let unsupportedClockIDs: Set<ManagementID> = [
        .saveInNonVolatileStorage, .resetNonVolatileStorage, .initialize, .faultLog, .faultLogReset, .time,
        .utcProperties, .pathTraceList, .pathTraceEnable, .grandmasterClusterTable, .acceptableMasterTable,
        .acceptableMasterMaxTableSize, .alternateTimeOffsetEnable, .alternateTimeOffsetName,
        .alternateTimeOffsetMaxKey, .alternateTimeOffsetProperties, .transparentClockDefaultDataSet, .primaryDomain,
    ]
    /// Standard per-port IDs a port answers NOT_SUPPORTED for any action it does not carry out (linuxptp
    /// 3.1 `port_manage`); any other ID a port does not carry out (the port `_NP` IDs, unknown IDs) gets
    /// NO_SUCH_ID from each addressed port.
    static let standardPortIDs: Set<ManagementID> = [
        .nullManagement, .clockDescription, .portDataSet, .logAnnounceInterval, .announceReceiptTimeout,
        .logSyncInterval, .versionNumber, .enablePort, .disablePort, .unicastNegotiationEnable, .unicastMasterTable,
        .unicastMasterMaxTableSize, .acceptableMasterTableEnabled, .alternateMaster, .transparentClockPortDataSet,
        .delayMechanism, .logMinPdelayReqInterval,
    ]

    /// The decision for `request` from `requester`, in the order linuxptp 3.1 decides (`clock_manage`,
    /// then `port_manage` on each addressed port), so each refusal carries ptp4l's error id:
    ///
    /// 1. another clock, or another domain (also on the Unix sockets, as ptp4l): dropped;
    /// 2. PORT_PROPERTIES_NP from the network: NOT_SUPPORTED;
    /// 3. SET with an empty dataField (other than NULL_MANAGEMENT): WRONG_LENGTH; SET or COMMAND
    ///    without the privilege: NOT_SUPPORTED;
    /// 4. a dataField of the wrong size: WRONG_LENGTH (ptp4l drops such a message unanswered;
    ///    Meridian says why);
    /// 5. clock IDs: GET answered; SET of a settable ID carried out (a bad value WRONG_VALUE); any
    ///    other action, and the standard clock IDs neither ptp4l 3.1 nor Meridian serves (INITIALIZE,
    ///    FAULT_LOG, UTC_PROPERTIES, …): NOT_SUPPORTED, as ptp4l answers them; also SET of a GET-only
    ///    data set such as DEFAULT_DATA_SET (never NOT_SETABLE);
    /// 6. everything else goes to the addressed ports (none: WRONG_VALUE); each answers a GET it knows,
    ///    NOT_SUPPORTED for a standard port ID otherwise, NO_SUCH_ID for anything else (unknown IDs,
    ///    SET or COMMAND of a port `_NP` ID).
    ///
    /// Meridian goes beyond ptp4l 3.1 where the issue asks for it: SET DOMAIN and USER_DESCRIPTION,
    /// COMMAND ENABLE_PORT/DISABLE_PORT (ptp4l 3.1 answers NOT_SUPPORTED to those).
    public func handle(
        _ request: ManagementRequest, snapshot: ManagementSnapshot, requester: ManagementRequester
    ) -> ManagementDecision {
        let clock = snapshot.clockIdentity
        let target = request.body.targetPortIdentity
        guard target.clockIdentity == .all || target.clockIdentity == clock else { return .drop(.otherClock) }
        guard request.header.domainNumber == snapshot.defaultDS.domainNumber else { return .drop(.otherDomain) }
        let domain = snapshot.defaultDS.domainNumber
        let ingress = PortIdentity(clockIdentity: clock, portNumber: requester.ingressPort)
        let id = request.managementId
        func fail(_ error: ManagementErrorID, from source: PortIdentity = ingress) -> ManagementDecision {
            .reply([request.error(error, from: source, domainNumber: domain)])
        }

        // ptp4l answers PORT_PROPERTIES_NP on its UDS port only (`clock_manage`): the interface name
        // is local knowledge.
        if id == .portPropertiesNP, !requester.privilege.isLocal { return fail(.notSupported) }
        if request.action == .set, request.data.isEmpty, id != .nullManagement { return fail(.wrongLength) }
        if request.action != .get, !requester.privilege.mayWrite { return fail(.notSupported) }
        let data: ManagementData
        do {
            data = try ManagementData.decode(id: id, action: request.action, data: request.data)
        } catch {
            return fail(.wrongLength)
        }
        if Self.clockIDs.contains(id) {
            return handleClock(request, data: data, snapshot: snapshot, requester: requester, ingress: ingress)
        }
        if Self.unsupportedClockIDs.contains(id) { return fail(.notSupported) }
        let ports = snapshot.ports.filter { target.matches($0.portIdentity) }
        guard !ports.isEmpty else { return fail(.wrongValue) }
        return handlePorts(request, data: data, ports: ports, snapshot: snapshot)
    }

    private func handleClock(
        _ request: ManagementRequest, data: ManagementData, snapshot: ManagementSnapshot,
        requester: ManagementRequester, ingress: PortIdentity
    ) -> ManagementDecision {
        let domain = snapshot.defaultDS.domainNumber
        let id = request.managementId
        switch request.action {
        case .get:
            guard let answer = Self.clockData(id, snapshot: snapshot, subscription: requester.subscription) else {
                return .reply([request.error(.notSupported, from: ingress, domainNumber: domain)])
            }
            return .reply([request.reply(from: ingress, domainNumber: domain, data: answer)])
        case .set:
            guard Self.settableClockIDs.contains(id) else {
                return .reply([request.error(.notSupported, from: ingress, domainNumber: domain)])
            }
            switch Self.command(for: data, privilege: requester.privilege) {
            case .failure(let error):
                return .reply([request.error(error, from: ingress, domainNumber: domain)])
            case .success(let command):
                var subscription: SubscribeEventsNP?
                if case .subscribe(let value) = command { subscription = value }
                return .apply(
                    [command],
                    PendingManagementReply(request: request, responders: [ingress], subscription: subscription))
            }
        case .command, .response, .acknowledge:
            return .reply([request.error(.notSupported, from: ingress, domainNumber: domain)])
        }
    }

    private func handlePorts(
        _ request: ManagementRequest, data: ManagementData, ports: [PortSnapshot], snapshot: ManagementSnapshot
    ) -> ManagementDecision {
        let domain = snapshot.defaultDS.domainNumber
        let id = request.managementId
        let identities = ports.map(\.portIdentity)
        if Self.portCommandIDs.contains(id), request.action == .command {
            let commands = identities.map {
                id == .enablePort ? ManagementCommand.enablePort($0.portNumber) : .disablePort($0.portNumber)
            }
            return .apply(commands, PendingManagementReply(request: request, responders: identities))
        }
        // SET PORT_DATA_SET_NP: ptp4l 3.1 sets the port's neighborPropDelayThresh and answers the new data.
        if request.action == .set, case .portDataSetNP(let value) = data {
            let commands = identities.map {
                ManagementCommand.setNeighborPropDelayThresh(port: $0.portNumber, nanoseconds: value.neighborPropDelayThresh)
            }
            return .apply(commands, PendingManagementReply(request: request, responders: identities))
        }
        let answers = ports.map { port in
            if request.action == .get, let answer = Self.portData(id, port: port, snapshot: snapshot) {
                return request.reply(from: port.portIdentity, domainNumber: domain, data: answer)
            }
            let error: ManagementErrorID = Self.standardPortIDs.contains(id) ? .notSupported : .noSuchID
            return request.error(error, from: port.portIdentity, domainNumber: domain)
        }
        return .reply(answers)
    }

    /// The replies to a SET or COMMAND after the daemon applied its commands: on success the new
    /// value (SET) or an empty ACKNOWLEDGE (COMMAND), on failure an error status with `result`'s ID.
    public func complete(
        _ pending: PendingManagementReply, result: Result<Void, ManagementErrorID>, snapshot: ManagementSnapshot
    ) -> [PTPMessage] {
        let request = pending.request
        let domain = snapshot.defaultDS.domainNumber
        if case .failure(let error) = result {
            return pending.responders.map { request.error(error, from: $0, domainNumber: domain) }
        }
        return pending.responders.map { source in
            if request.action == .command {
                return request.reply(from: source, domainNumber: domain, data: .empty(request.managementId))
            }
            let id = request.managementId
            let answer =
                Self.portIDs.contains(id)
                ? snapshot.port(source.portNumber).flatMap { Self.portData(id, port: $0, snapshot: snapshot) }
                : Self.clockData(id, snapshot: snapshot, subscription: pending.subscription)
            guard let answer else { return request.error(.generalError, from: source, domainNumber: domain) }
            return request.reply(from: source, domainNumber: domain, data: answer)
        }
    }
}
