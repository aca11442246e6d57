import PTPCore
import PTPServo
import PTPWire

extension PortEngine {
    /// Runs the state machine for `event` and, when the state changes, the exit and entry actions:
    /// the timers each state runs (9.2.6), and the first Announce of a new master.
    mutating func changeState(
        on event: PortStateEvent, masterChanged: Bool = false, now: PTPInstant, into actions: inout [PortAction]
    ) {
        let old = state
        var new = PortStateMachine.next(old, on: event, masterChanged: masterChanged, slaveOnly: slaveOnly)
        if configuration.designatedMaster && new == .listening {
            // BMCA noop: a designated master skips LISTENING (linuxptp `designated_master_fsm`).
            new = .master
        }
        if configuration.designatedSlave && (new == .listening || new == .uncalibrated) {
            // A designated slave is SLAVE from initialisation on and leaves it only on a fault
            // (linuxptp `designated_slave_fsm`).
            new = .slave
        }
        guard new != old else { return }
        portDS.portState = new
        actions.append(.stateChanged(PortStateChange(portNumber: configuration.portNumber, from: old, to: new, event: event)))

        let before = timers(for: old)
        let after = timers(for: new)
        for timer in PortTimer.all where before.contains(timer) && !after.contains(timer) {
            actions.append(.cancelTimer(timer))
        }
        if !(new == .uncalibrated || new == .slave) {
            parent = nil
            pendingSync = nil
            earlyFollowUp = nil
            lastSync = nil
            delayRequests.removeAll()
        }
        switch new {
        case .listening, .passive, .uncalibrated, .slave:
            if after.contains(.announceReceipt) { armAnnounceReceipt(into: &actions) }
            if (new == .uncalibrated || new == .slave) && !before.contains(.delayRequest)
                && after.contains(.delayRequest)
            {
                actions.append(.armTimer(.delayRequest, after: delayRequestSpacing()))
            }
            if after.contains(.syncReceipt) && !before.contains(.syncReceipt) { armSyncReceipt(into: &actions) }
        case .preMaster:
            // 9.2.6.11: (N + 1) announce intervals, N = stepsRemoved.
            let intervals = Int64(stepsRemoved) + 1
            actions.append(.armTimer(.qualification, after: configuration.logAnnounceInterval.duration * intervals))
        case .master where configuration.transparentClock:
            break  // A transparent clock forwards its master's messages; it originates none.
        case .master:
            if !configuration.inhibitAnnounce {
                if asCapable && !configuration.inhibitMulticastService { sendAnnounce(now: now, into: &actions) }
                actions.append(.armTimer(.announce, after: configuration.logAnnounceInterval.duration))
            }
            unicastAnnounceSlots.restart()
            unicastSyncSlots.restart()
            actions.append(.armTimer(.sync, after: configuration.logSyncInterval.duration))
        case .faulty, .disabled, .initializing:
            foreignMasters.removeAll()
            outstandingPdelay = nil
        }
        if after.contains(.unicastRequest) && !before.contains(.unicastRequest) { startUnicastRequests(into: &actions) }
        if after.contains(.pdelayRequest) && !before.contains(.pdelayRequest) {
            actions.append(.armTimer(.pdelayRequest, after: pdelayRequestPeriod))
        }
        // A timeout, or a port leaving or rejoining the BMCA, changes what the instance decides.
        let leftBMCA = (new == .faulty || new == .disabled) && old != .initializing
        if event == .announceReceiptTimeoutExpires || new == .listening && old != .initializing || leftBMCA {
            actions.append(.stateDecisionNeeded)
        }
    }

    /// The timers a state runs. Inlined: a call on `self` from a mutating method would copy the whole engine.
    @inline(__always)
    func timers(for state: PortState) -> PortTimerSet {
        var set = PortTimerSet()
        switch state {
        case .listening, .passive:
            set.insert(.announceReceipt)
        case .uncalibrated, .slave:
            set.insert(.announceReceipt)
            if configuration.delayMechanism == .e2e { set.insert(.delayRequest) }
            if configuration.syncReceiptTimeout > 0 { set.insert(.syncReceipt) }
        case .preMaster:
            set.insert(.qualification)
        case .master:
            set.insert(.announce)
            set.insert(.sync)
        case .initializing, .faulty, .disabled:
            break
        }
        if configuration.delayMechanism == .p2p && state != .initializing && state != .faulty && state != .disabled {
            set.insert(.pdelayRequest)
        }
        if unicastClientEnabled && state != .initializing && state != .faulty && state != .disabled {
            set.insert(.unicastRequest)
        }
        // BMCA noop: no announce or sync receipt timeout moves a designated port (linuxptp clears them).
        if configuration.designatedMaster || configuration.designatedSlave {
            set.remove(.announceReceipt)
            set.remove(.syncReceipt)
        }
        // linuxptp: inhibit_announce clears the announce timers; inhibit_delay_req arms no delay timer.
        if configuration.inhibitAnnounce {
            set.remove(.announce)
            set.remove(.announceReceipt)
        }
        if configuration.inhibitDelayRequest {
            set.remove(.delayRequest)
            set.remove(.pdelayRequest)
        }
        if configuration.transparentClock {
            set.remove(.announce)
            set.remove(.sync)
            if !configuration.transparentDelayRequests { set.remove(.delayRequest) }
        }
        return set
    }

    /// announceReceiptTimeout intervals plus a random part of one more (ptp4l `set_tmo_random`).
    mutating func armAnnounceReceipt(into actions: inout [PortAction]) {
        guard !configuration.inhibitAnnounce else { return }
        let interval = configuration.logAnnounceInterval.duration
        let extra = PTPDuration.nanoseconds(interval.nanosecondsDouble * random.nextUnit())
        actions.append(.armTimer(.announceReceipt, after: interval * Int64(configuration.announceReceiptTimeout) + extra))
    }

    /// syncReceiptTimeout Sync intervals (the master's, once a Sync said it), as ptp4l's `port_set_sync_rx_tmo`.
    mutating func armSyncReceipt(into actions: inout [PortAction]) {
        guard configuration.syncReceiptTimeout > 0 else { return }
        let interval = (masterSyncInterval ?? configuration.logSyncInterval).duration
        actions.append(.armTimer(.syncReceipt, after: interval * Int64(configuration.syncReceiptTimeout)))
    }

    /// A random Delay_Req spacing in [0, 2 × 2^logMinDelayReqInterval] (9.5.11.2), using the master's
    /// value from Delay_Resp when it gave one.
    mutating func delayRequestSpacing() -> PTPDuration {
        let log = masterDelayReqInterval ?? portDS.logMinDelayReqInterval
        return .nanoseconds((log.duration * 2).nanosecondsDouble * random.nextUnit())
    }

    mutating func applyRecommendation(
        _ code: StateDecisionCode, parent newParent: PortIdentity?, stepsRemoved steps: UInt16, now: PTPInstant,
        into actions: inout [PortAction]
    ) {
        stepsRemoved = steps
        switch code {
        case .m1, .m2:
            changeState(on: .rsGrandMaster, now: now, into: &actions)
        case .m3:
            changeState(on: .rsMaster, now: now, into: &actions)
        case .p1, .p2:
            changeState(on: .rsPassive, now: now, into: &actions)
        case .listening, .slaveOnlyListening:
            changeState(on: .rsListening, now: now, into: &actions)
        case .s1:
            let changed = newParent != parent
            if changed {
                // A new master: its path is a new path.
                delayFilter.reset()
                meanPathDelay = nil
                rawMeanPathDelay = nil
                pendingSync = nil
                earlyFollowUp = nil
                lastSync = nil
                lastSyncSequence = nil
                delayRequests.removeAll()
                masterDelayReqInterval = nil
                masterSyncInterval = nil
            }
            changeState(on: .rsSlave, masterChanged: changed, now: now, into: &actions)
            if state == .uncalibrated || state == .slave {
                parent = newParent
                if changed { armAnnounceReceipt(into: &actions) }
            }
        }
    }

    mutating func timerFired(_ timer: PortTimer, now: PTPInstant, into actions: inout [PortAction]) {
        switch timer {
        case .announce:
            guard state == .master, !configuration.inhibitAnnounce, !configuration.transparentClock else { return }
            // linuxptp `port_tx_announce`: an 802.1AS port that is not asCapable sends no Announce. The timer
            // fires once per slot of the interval (one slot unless many unicast clients are served, as for Sync).
            let neededSlots = unicastSlotsNeeded(.announce)
            let slot = unicastAnnounceSlots.begin(needed: neededSlots)
            if asCapable {
                if slot == 0 && !configuration.inhibitMulticastService { sendAnnounce(now: now, into: &actions) }
                serveUnicastAnnounce(now: now, into: &actions)
            }
            actions.append(
                .armTimer(.announce, after: unicastAnnounceSlots.advance(interval: configuration.logAnnounceInterval.duration)))
            // The state decision runs at least once per announce interval (9.2.6.8).
            if slot == 0 { actions.append(.stateDecisionNeeded) }
        case .sync:
            guard state == .master, !configuration.transparentClock else { return }
            // The timer fires once per slot of the Sync interval (one slot unless many unicast clients are
            // served): the multicast Sync on the first, each unicast client's Sync on its own.
            let neededSlots = unicastSlotsNeeded(.sync)
            let slot = unicastSyncSlots.begin(needed: neededSlots)
            if asCapable {
                if slot == 0 && !configuration.inhibitMulticastService { sendSync(into: &actions) }
                serveUnicastSync(now: now, into: &actions)
            }
            actions.append(.armTimer(.sync, after: unicastSyncSlots.advance(interval: configuration.logSyncInterval.duration)))
        case .delayRequest:
            guard timers(for: state).contains(.delayRequest) else { return }
            sendDelayReq(into: &actions)
            actions.append(.armTimer(.delayRequest, after: delayRequestSpacing()))
        case .pdelayRequest:
            guard timers(for: state).contains(.pdelayRequest) else { return }
            sendPdelayReq(into: &actions)
            actions.append(.armTimer(.pdelayRequest, after: pdelayRequestPeriod))
        case .announceReceipt, .syncReceipt:
            guard timers(for: state).contains(timer) else { return }
            if let parent { foreignMasters.clear(sender: parent) }
            if let best = foreignMasters.best(now: now) { foreignMasters.clear(sender: best.sender) }
            let before = state
            changeState(on: .announceReceiptTimeoutExpires, now: now, into: &actions)
            if state == before {
                // Slave-only clocks keep listening; the timer runs on.
                armAnnounceReceipt(into: &actions)
                actions.append(.stateDecisionNeeded)
            }
        case .unicastRequest:
            unicastRequestTimer(into: &actions)
        case .qualification:
            guard state == .preMaster else { return }
            changeState(on: .qualificationTimeoutExpires, now: now, into: &actions)
        }
    }
}
