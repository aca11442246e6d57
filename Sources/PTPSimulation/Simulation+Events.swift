import PTPCore
import PTPEngine
import PTPServo
import PTPWire

/// Carrying out events and the engine's actions: the daemon's part, played by the simulation.
extension SimulationCore {
    mutating func process(_ event: Event) {
        eventsProcessed += 1
        switch event {
        case .start(let c):
            let clock = Int(c)
            let local = nodes[clock].oscillator.advance(to: now, random: &random)
            for p in nodes[clock].instance.ports.indices {
                dispatch(clock, .port(p, .linkUp), local: local)
            }
        case .deliver(let c, let p, let bytes):
            let clock = Int(c)
            guard !nodes[clock].muted else { return }
            messagesDelivered += 1
            let stamp = nodes[clock].oscillator.stamp(at: now, random: &random)
            dispatch(clock, .port(Int(p), .receivedBytes(bytes, timestamp: stamp)), local: nodes[clock].oscillator.localNow)
        case .transmitted(let c, let p, let token, let stamp):
            let clock = Int(c)
            let local = nodes[clock].oscillator.advance(to: now, random: &random)
            dispatch(clock, .port(Int(p), .transmitted(token, timestamp: stamp)), local: local)
        case .timer(let c, let p, let timer, let generation):
            let clock = Int(c)
            let index = Int(p) * PortTimer.allCases.count + Int(timer.rawValue)
            guard nodes[clock].timerGenerations[index] == generation else { return }
            let local = nodes[clock].oscillator.advance(to: now, random: &random)
            dispatch(clock, .port(Int(p), .timerFired(timer)), local: local)
        case .clockTimer(let c, let timer, let generation):
            let clock = Int(c)
            guard nodes[clock].clockTimerGenerations[Int(timer.rawValue)] == generation else { return }
            let local = nodes[clock].oscillator.advance(to: now, random: &random)
            dispatch(clock, .clockTimerFired(timer), local: local)
        case .referenceEdge(let c):
            referenceEdge(clock: Int(c))
        }
    }

    /// One PPS edge of a clock's simulated receiver, at a whole true second: the clock stamps it (with the
    /// receiver's jitter) and labels it with that second, then the reference discipline ticks, as the
    /// daemon's reference source and its once-a-second tick do. Outages send nothing (the tick notices).
    mutating func referenceEdge(clock: Int) {
        guard let reference = nodes[clock].reference else { return }
        queue.schedule(.referenceEdge(clock: Int32(clock)), at: PTPInstant(seconds: now.seconds + 1))
        let local = nodes[clock].oscillator.advance(to: now, random: &random)
        let sinceStart = (now - start).secondsDouble
        if !reference.isOut(atSecondsFromStart: sinceStart) {
            let jitter = reference.jitter > 0 ? reference.jitter * random.nextGaussian() : 0
            let sample = ReferenceSample(
                edge: local + .nanoseconds(jitter), utcSecond: now.seconds, fixMode: .threeDimensional,
                satellitesUsed: reference.satellites)
            dispatch(clock, .referenceSample(sample), local: local)
        }
        dispatch(clock, .referenceTick(clockTime: nodes[clock].oscillator.localNow), local: nodes[clock].oscillator.localNow)
    }

    /// Feeds the clock's instance and carries out everything that follows, in order.
    mutating func dispatch(_ clock: Int, _ event: InstanceEvent, local: PTPInstant) {
        nodes[clock].instance.handle(event, at: local, into: &work)
        while cursor < work.count {
            let action = work[cursor]
            cursor += 1
            perform(action, clock: clock)
        }
        work.removeAll(keepingCapacity: true)
        cursor = 0
    }

    mutating func perform(_ action: InstanceAction, clock: Int) {
        switch action {
        case .parentChanged, .clockClassChanged:
            break
        case .clock(let clockAction):
            perform(clockAction, clock: clock)
        case .port(let p, let portAction):
            switch portAction {
            case .send(let outgoing):
                send(outgoing, clock: clock, port: p)
            case .armTimer(let timer, let after):
                let index = p * PortTimer.allCases.count + Int(timer.rawValue)
                nodes[clock].timerGenerations[index] &+= 1
                queue.schedule(
                    .timer(
                        clock: Int32(clock), port: Int32(p), timer: timer,
                        generation: nodes[clock].timerGenerations[index]),
                    at: now + after)
            case .cancelTimer(let timer):
                nodes[clock].timerGenerations[p * PortTimer.allCases.count + Int(timer.rawValue)] &+= 1
            case .measurement:
                break  // the instance's clock engine took it; `.clock(.measured)` reports the outcome
            case .stateChanged(let change):
                if recordStateChanges {
                    stateChanges.append((now, clock, change))
                }
            case .diagnostic:
                nodes[clock].statistics.diagnostics += 1
            case .slaveTiming:
                break  // no slave event monitor in the simulator
            case .stateDecisionNeeded:
                break  // the instance handles these itself
            }
        }
    }

    /// What the clock engine decided, carried out on the oscillator as the daemon's clock actor does on the clock.
    mutating func perform(_ action: ClockAction, clock: Int) {
        switch action {
        case .adjust(let step, let frequency, _):
            if let step {
                nodes[clock].oscillator.step(by: step)
                nodes[clock].statistics.steps += 1
                steps.append((now, clock, step))
            }
            if let frequency { nodes[clock].oscillator.adjustFrequency(frequency) }
        case .armTimer(let timer, let after):
            let index = Int(timer.rawValue)
            nodes[clock].clockTimerGenerations[index] &+= 1
            queue.schedule(
                .clockTimer(clock: Int32(clock), timer: timer, generation: nodes[clock].clockTimerGenerations[index]),
                at: now + after)
        case .measured(let m, _):
            nodes[clock].statistics.measurements += 1
            nodes[clock].statistics.lastOffsetFromMaster = m.offsetFromMaster
            nodes[clock].statistics.lastMeanPathDelay = m.meanPathDelay
        case .holdover(let holdover):
            if recordStateChanges { holdovers.append((now, clock, holdover)) }
        case .reference(let output, _):
            if recordStateChanges, let change = output.stateChange { referenceChanges.append((now, clock, change)) }
        case .acquisitionRestarted:
            nodes[clock].statistics.acquisitionRestarts += 1
        case .sourceChanged:
            break
        }
    }

    mutating func send(_ outgoing: OutgoingMessage, clock: Int, port: Int) {
        var message = outgoing.message
        let needsStamp = outgoing.token != nil || outgoing.insertOriginTimestamp
        let stamp = needsStamp ? nodes[clock].oscillator.stamp(at: now, random: &random) : now
        if outgoing.insertOriginTimestamp, case .sync = message.body {
            let wire = WireTimestamp(stamp)
            message.body = .sync(OriginTimestampBody(originTimestamp: wire))
            message.header.correctionField = ScaledNanoseconds(
                saturating: message.header.correctionField.duration + (stamp - wire.instant))
        }
        if let token = outgoing.token {
            queue.schedule(
                .transmitted(clock: Int32(clock), port: Int32(port), token: token, stamp: stamp),
                at: now + network.clocks[clock].transmitTimestampDelay)
        }
        guard !nodes[clock].muted else { return }
        let s = nodes[clock].portSegment[port]
        guard s >= 0, !segmentDown[s] else { return }
        // On the wire: encoded once here, decoded by each receiving port's engine.
        let bytes = message.encoded()
        let segment = network.segments[s]
        var model = segment.model
        model.asymmetry = model.asymmetry + extraAsymmetry[s]
        for (index, endpoint) in segment.endpoints.enumerated() where endpoint.clock != clock || endpoint.port != port {
            var delay = model.delay
            if segment.endpoints.first.map({ $0.clock == clock && $0.port == port }) == true {
                delay = delay + model.asymmetry
            } else if index == 0 {
                delay = delay - model.asymmetry
            }
            if model.jitter > 0 {
                let floor = -delay.nanosecondsDoubleFast / 2
                delay = delay + .nanosecondsFast(max(floor, model.jitter * random.nextGaussian()))
            }
            queue.schedule(
                .deliver(clock: Int32(endpoint.clock), port: Int32(endpoint.port), bytes: bytes),
                at: now + delay)
        }
    }
}
