import PTPCore
import PTPWire

/// The best master clock algorithm across the ports (IEEE 1588-2019 9.3.2, 9.3.3) and the data set
/// updates of 9.3.5 (tables 30–33).
extension InstanceEngine {
    /// Computes Erbest per port and Ebest, decides each port's state, updates currentDS, parentDS and
    /// timePropertiesDS, hands every port the new Announce content and its recommended state.
    mutating func runStateDecision(at now: PTPInstant, into actions: inout [InstanceAction]) {
        stateDecisions += 1
        let comparison = bmca.comparison
        let wasLockedSlave = lockedToParent
        var d0 = ComparisonDataset(defaultDS: defaultDS)
        d0.localPriority = bmca.localPriority
        var erbest: [ForeignMasterRecord?] = []
        erbest.reserveCapacity(ports.count)
        var ebestIndex: Int?
        for i in ports.indices {
            let active = ![.initializing, .faulty, .disabled].contains(ports[i].state)
            var record = active && !ports[i].configuration.masterOnly ? ports[i].bestForeignMaster(now: now) : nil
            if comparison == .g8275, record != nil {
                record = telecomErbest(port: i, now: now)
            }
            erbest.append(record)
            guard let record else { continue }
            if let e = ebestIndex, let current = erbest[e] {
                if comparison.compare(record.dataset, current.dataset).isABetter { ebestIndex = i }
            } else {
                ebestIndex = i
            }
        }
        let ebest = ebestIndex.flatMap { erbest[$0] }

        var codes: [StateDecisionCode?] = []
        codes.reserveCapacity(ports.count)
        for i in ports.indices {
            let state = ports[i].state
            // A designated master (BMCA noop) stays MASTER outside the decision (linuxptp `bmc_state_decision`
            // returns its state unchanged).
            if state == .initializing || state == .faulty || state == .disabled || ports[i].configuration.designatedMaster
                || ports[i].configuration.designatedSlave
            {
                codes.append(nil)
                continue
            }
            codes.append(
                StateDecision.decide(
                    d0: d0, erbest: erbest[i]?.dataset, ebest: ebest?.dataset, ebestIsOnThisPort: i == ebestIndex,
                    portState: state, slaveOnly: defaultDS.slaveOnly, masterOnly: ports[i].configuration.masterOnly,
                    comparison: comparison))
        }

        // 9.3.5: the data sets follow the decision.
        let oldParent = slavePortIndex == nil ? nil : Optional(parentDS.parentPortIdentity)
        let followed = (grandmaster: parentDS.grandmasterIdentity, traceable: timePropertiesDS.timeTraceable)
        var newParent: PortIdentity?
        if let e = ebestIndex, codes[e] == .s1, let record = ebest {
            // Table 33: synchronised to Ebest.
            currentDS.stepsRemoved = record.announce.stepsRemoved &+ 1
            parentDS = ParentDS(
                parentPortIdentity: record.sender, grandmasterIdentity: record.announce.grandmasterIdentity,
                grandmasterClockQuality: record.announce.grandmasterClockQuality,
                grandmasterPriority1: record.announce.grandmasterPriority1,
                grandmasterPriority2: record.announce.grandmasterPriority2)
            timePropertiesDS = TimePropertiesDS(announce: record.announce, flags: record.header.flags)
            learnUTCOffset(from: timePropertiesDS)
            slavePortIndex = e
            newParent = record.sender
        } else if codes.contains(where: { $0?.isGrandmaster == true }) || slavePortIndex != nil || ebest == nil {
            // Tables 30 and 31: this clock is the grandmaster (M1/M2), or it lost its slave port.
            currentDS = CurrentDS()
            parentDS = ParentDS(selfAsGrandmaster: defaultDS)
            timePropertiesDS = ownTimeProperties
            slavePortIndex = nil
        }
        if newParent != oldParent || (newParent == nil && oldParent == nil && stateDecisions == 1) {
            actions.append(.parentChanged(newParent, grandmaster: parentDS.grandmasterIdentity))
            // The clock follows the decision in the same pass: the grandmaster's reference steers it, or the
            // new parent's measurements will.
            clock.setGrandmaster(newParent == nil, at: now, into: &actions)
        }
        // A clock that locked to traceable time keeps it: a master that announces its time as not traceable
        // for a while (a boundary clock re-acquiring through a failover, or its own grandmaster in holdover
        // while its uplink is down) and then traceable again has not handed it an interim time to leave. Nor
        // has a master it selected and left before its slave port locked to it (a boundary clock that, its
        // grandmaster gone, heard another boundary clock announce its own time before the standby's Announces
        // qualified): `lockedToTraceableTime` changes only when the slave port locks.
        let restart =
            oldParent != nil && newParent != nil && !followed.traceable && !lockedToTraceableTime
            && (parentDS.grandmasterIdentity != followed.grandmaster || timePropertiesDS.timeTraceable)

        if newParent != oldParent || slavePortIndex == nil {
            lockedToParent = false
        }
        updateBoundaryClockClass(wasLockedSlave: wasLockedSlave && slavePortIndex == nil, at: now, into: &actions)
        let content = announcedContent()
        announced = content
        for i in ports.indices {
            ports[i].announceContent = content
            decisions[i] = codes[i]
            guard let code = codes[i] else { continue }
            scratch.removeAll(keepingCapacity: true)
            let parent = code == .s1 ? newParent : nil
            ports[i].handle(
                .recommendedState(code, parent: parent, stepsRemoved: currentDS.stepsRemoved),
                at: now, into: &scratch)
            for action in scratch {
                if case .stateDecisionNeeded = action { continue }  // we are deciding now
                actions.append(.port(i, action))
            }
        }
        // The time this clock followed was not traceable and another time comes now: the servo acquires afresh
        // and the slave port is UNCALIBRATED until it locks again (SYNCHRONIZATION_FAULT, 9.2.6.12), so this
        // clock announces its time as not traceable meanwhile and the clocks below wait for it in turn.
        if restart, let slave = slavePortIndex {
            clock.followedUntraceableTimeChanged(into: &actions)
            if ports[slave].state == .slave {
                scratch.removeAll(keepingCapacity: true)
                ports[slave].handle(.synchronizationFault, at: now, into: &scratch)
                for action in scratch {
                    if case .stateDecisionNeeded = action { continue }
                    actions.append(.port(slave, action))
                }
            }
            refreshAnnouncedContent()
        }
    }

    /// What the master ports announce (9.3.5, table 33): the parent's data, except that while the slave port
    /// is not yet SLAVE (the servo has not locked to the master) timeTraceable and frequencyTraceable are
    /// false. The Syncs carry this clock's own time, and until it has locked that time is not traceable to a
    /// primary reference (7.6.2.8), whatever the grandmaster's is; a clock below learns so
    /// (``ClockEngine/followedUntraceableTimeChanged(into:)``) and acquires afresh once this one has locked.
    @inline(__always)
    func announcedContent() -> AnnounceContent {
        var properties = timePropertiesDS
        if let slave = slavePortIndex, ports[slave].state != .slave {
            properties.timeTraceable = false
            properties.frequencyTraceable = false
        }
        var content = AnnounceContent(parentDS: parentDS, currentDS: currentDS, timeProperties: properties)
        if let slave = slavePortIndex, ports[slave].configuration.pathTrace {
            // 16.2.2: the path the parent's Announce came by (kept only with path_trace_enabled). The flag, in the
            // first line of the port's configuration, is tested rather than the table, which lies far out in the
            // port engine: this runs after every measurement.
            content.pathTrace = ports[slave].pathTraces[parentDS.parentPortIdentity] ?? []
        }
        return content
    }

    /// Gives the ports the announced content again when the slave port's lock changed what it says.
    mutating func refreshAnnouncedContent() {
        let content = announcedContent()
        guard content != announced else { return }
        announced = content
        for i in ports.indices where ports[i].announceContent != content {
            ports[i].announceContent = content
        }
    }

    /// Erbest of port `i` by the G.8275 comparison: every qualified foreign master of the port carries the
    /// port's localPriority (linuxptp `announce_to_dataset`), and the port's best is chosen by the same
    /// comparison as Ebest (`port_compute_best` with the clock's `dscmp`). The foreign master table itself
    /// keeps choosing by IEEE 1588; this reads its qualified records.
    func telecomErbest(port i: Int, now: PTPInstant) -> ForeignMasterRecord? {
        let table = ports[i].foreignMasters
        let localPriority = ports[i].configuration.localPriority
        var best: ForeignMasterRecord?
        for var record in table.records where table.isQualified(record, now: now) {
            record.dataset.localPriority = localPriority
            if let current = best {
                if TelecomDatasetComparison.compare(record.dataset, current.dataset).isABetter { best = record }
            } else {
                best = record
            }
        }
        return best
    }
}

extension InstanceEngine {
    /// The UTC offset this clock learns from the PTP-timescale masters it follows, as linuxptp's
    /// `clock_update_slave`: a valid and traceable one, or any larger than what it knew.
    mutating func learnUTCOffset(from properties: TimePropertiesDS) {
        guard properties.ptpTimescale else { return }
        if learnedUTCOffset == nil || (properties.currentUtcOffsetValid && properties.timeTraceable)
            || properties.currentUtcOffset > (learnedUTCOffset ?? .min)
        {
            learnedUTCOffset = properties.currentUtcOffset
        }
    }

    /// The time properties this clock announces as the grandmaster. With a reference, the reference's. Without
    /// one, the configured ones — but a clock that has followed PTP time goes on serving PTP time with the UTC
    /// offset it learned (neither valid nor traceable), as ptp4l's grandmaster role does (`time_flags`
    /// PTP_TIMESCALE, `utc_offset`): a boundary clock that loses its master keeps its hosts' time in the
    /// timescale they had, and the time it keeps does not jump by the UTC offset when its role changes.
    var ownTimeProperties: TimePropertiesDS {
        var own = grandmasterQuality.timeProperties
        guard !clock.hasReference, !own.ptpTimescale, let offset = learnedUTCOffset else { return own }
        own.ptpTimescale = true
        own.currentUtcOffset = offset
        own.currentUtcOffsetValid = false
        return own
    }

    /// The engine's clock moved by `delta` without the clock moving: the daemon's engine time is the clock's
    /// shifted to TAI while the time properties use the PTP timescale, and that shift changed (the first master
    /// on the PTP timescale, or a new UTC offset). The instants the engine keeps move with it, so that no
    /// foreign master's Announce receipts look 37 s old (or in the future) and no silence looks 37 s long.
    public mutating func timescaleShifted(by delta: PTPDuration) {
        for i in ports.indices { ports[i].timescaleShifted(by: delta) }
        clock.timescaleShifted(by: delta)
        boundaryClockHoldoverSince = boundaryClockHoldoverSince.map { $0 + delta }
    }
}
