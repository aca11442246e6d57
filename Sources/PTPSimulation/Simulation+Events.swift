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
            guard !stopped[clock] else { return }
            let local = oscillators[clock].advance(to: now, random: &random)
            for p in nodes[clock].instance.ports.indices {
                dispatch(clock, .port(p, .linkUp), local: local)
            }
        case .deliver(let c, let p, let frame):
            let clock = Int(c)
            let bytes = frames.take(frame)
            guard !muted[clock], !stopped[clock] else { return }
            messagesDelivered += 1
            let stamp = oscillators[clock].stamp(at: now, random: &random)
            dispatch(clock, .port(Int(p), .receivedBytes(bytes, timestamp: stamp)), local: oscillators[clock].localNow)
        case .timer(let c, let p, let timer, let generation):
            let clock = Int(c)
            guard timerGenerations[timerIndex(clock, Int(p), timer)] == generation else { return }
            let local = oscillators[clock].advance(to: now, random: &random)
            dispatch(clock, .port(Int(p), .timerFired(timer)), local: local)
        case .clockTimer(let c, let timer, let generation):
            let clock = Int(c)
            guard clockTimerGenerations[clock * SimulationCore.clockTimerCount + Int(timer.rawValue)] == generation else {
                return
            }
            let local = oscillators[clock].advance(to: now, random: &random)
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
        guard !stopped[clock] else { return }  // the receiver runs on; no daemon reads it
        let local = oscillators[clock].advance(to: now, random: &random)
        let sinceStart = (now - start).secondsDouble
        if !reference.isOut(atSecondsFromStart: sinceStart) {
            let jitter = reference.jitter > 0 ? reference.jitter * random.nextGaussian() : 0
            let sample = ReferenceSample(
                edge: local + .nanoseconds(jitter), utcSecond: now.seconds, fixMode: .threeDimensional,
                satellitesUsed: reference.satellites)
            dispatch(clock, .referenceSample(sample), local: local)
        }
        dispatch(clock, .referenceTick(clockTime: oscillators[clock].localNow), local: oscillators[clock].localNow)
    }

    /// Feeds the clock's instance and carries out everything that follows, in order.
    mutating func dispatch(_ clock: Int, _ event: InstanceEvent, local: PTPInstant) {
        nodes[clock].instance.handle(event, at: local, into: &work, buffer: &portWork)
        noteEngines(of: clock)
        // Carrying out an action dispatches nothing: the list is taken out of `self` for the loop, and each action
        // moved out of it rather than copied (Array.drain).
        var list: [InstanceAction] = []
        swap(&list, &work)
        list.drain(leaving: .clockClassChanged(0)) { perform($0, clock: clock) }
        swap(&list, &work)
        if !transmits.isEmpty && deferral == .zero { carryTransmits() }
    }

    /// Hands each port that sent an event message its transmit time stamp, as the daemon's error queue does
    /// the clock's transmit time stamp delay after the send, and in the same order. The simulator does not queue
    /// it as an event of its own: it takes it at once, with the engine's clock read and everything it sends or
    /// arms timed at that delay past the send (``deferral``), so the Follow_Up leaves when it did as an event
    /// and the sending clock's engine, in the cache from the send, is not fetched again a quarter of all
    /// events later. What differs from queueing it: an event of the same clock within the delay (5 µs by
    /// default) is handled after it rather than before.
    mutating func carryTransmits() {
        var i = 0
        while i < transmits.count {
            let transmit = transmits[i]
            i += 1
            let clock = Int(transmit.clock)
            deferral = transmit.after
            let local = oscillators[clock].localTime(at: now + deferral)
            dispatch(clock, .port(Int(transmit.port), .transmitted(transmit.token, timestamp: transmit.stamp)), local: local)
        }
        deferral = .zero
        transmits.removeAll(keepingCapacity: true)
    }

    mutating func perform(_ action: consuming InstanceAction, clock: Int) {
        switch consume action {
        case .parentChanged, .clockClassChanged:
            break
        case .clock(let clockAction):
            perform(clockAction, clock: clock)
        case .port(let p, let portAction):
            switch consume portAction {
            case .send(let outgoing):
                send(outgoing, clock: clock, port: p)
            case .armTimer(let timer, let after):
                let index = timerIndex(clock, p, timer)
                timerGenerations[index] &+= 1
                queue.schedule(
                    .timer(clock: Int32(clock), port: Int32(p), timer: timer, generation: timerGenerations[index]),
                    at: now + deferral + after)
            case .cancelTimer(let timer):
                timerGenerations[timerIndex(clock, p, timer)] &+= 1
            case .measurement:
                break  // the instance keeps it for its clock engine (it never reaches this list)
            case .stateChanged(let change):
                if recordStateChanges {
                    stateChanges.append((now, clock, change))
                }
            case .diagnostic:
                statistics[clock].diagnostics += 1
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
                oscillators[clock].step(by: step)
                statistics[clock].steps += 1
                steps.append((now, clock, step))
            }
            if let frequency { oscillators[clock].adjustFrequency(frequency) }
        case .armTimer(let timer, let after):
            let index = clock * SimulationCore.clockTimerCount + Int(timer.rawValue)
            clockTimerGenerations[index] &+= 1
            queue.schedule(
                .clockTimer(clock: Int32(clock), timer: timer, generation: clockTimerGenerations[index]),
                at: now + deferral + after)
        case .measured(let step, _):
            statistics[clock].measurements += 1
            statistics[clock].lastOffsetFromMaster = step.offsetFromMaster
            statistics[clock].lastMeanPathDelay = step.meanPathDelay
        case .holdover(let holdover):
            if recordStateChanges { holdovers.append((now, clock, holdover)) }
        case .reference(let output, _):
            if recordStateChanges, let change = output.stateChange { referenceChanges.append((now, clock, change)) }
        case .acquisitionRestarted:
            statistics[clock].acquisitionRestarts += 1
        case .sourceChanged:
            break
        }
    }

    /// The wander of the delay into endpoint `index` now: its last value decayed by e^(−t/τ) over the time
    /// since and a fresh Gaussian step, so that the value keeps σ = `model.wander` (an Ornstein–Uhlenbeck
    /// process sampled at each delivery; the first draw, with nothing to decay from, is the stationary one).
    mutating func wander(into index: Int, model: LinkModel) -> Double {
        guard wanderValue.indices.contains(index) else { return 0 }
        var decay = 0.0
        if let last = wanderAt[index] {
            // e^(−t/τ) = 2^(−t/(τ·ln 2)).
            decay = RealFunctions.exp2(-max(0, (now - last).secondsDouble) / (model.wanderTime * 0.693_147_180_559_945_3))
        }
        let step: Double = model.wander * max(0, 1 - decay * decay).squareRoot()
        let value: Double = wanderValue[index] * decay + step * random.nextGaussian()
        wanderValue[index] = value
        wanderAt[index] = now
        return value
    }

    mutating func send(_ outgoing: OutgoingMessage, clock: Int, port: Int) {
        var message = outgoing.message
        let needsStamp = outgoing.token != nil || outgoing.insertOriginTimestamp
        var stamp = now
        if needsStamp {
            stamp = oscillators[clock].stamp(at: now, random: &random)
            // Sent by an engine event a deferral past now: the clock's time that much later.
            if deferral != .zero {
                stamp = stamp + (oscillators[clock].localTime(at: now + deferral) - oscillators[clock].localNow)
            }
        }
        if outgoing.insertOriginTimestamp, case .sync = message.body {
            let wire = WireTimestamp(stamp)
            message.body = .sync(OriginTimestampBody(originTimestamp: wire))
            message.header.correctionField = ScaledNanoseconds(
                saturating: message.header.correctionField.duration + (stamp - wire.instant))
        }
        if let token = outgoing.token {
            transmits.append((Int32(clock), Int32(port), token, stamp, deferral + transmitDelay[clock]))
        }
        guard !muted[clock], !stopped[clock] else { return }
        let s = Int(portSegment[portBase[clock] + port])
        guard s >= 0, !segmentDown[s] else { return }
        // On the wire: encoded once here, decoded by each receiving port's engine.
        let first = segmentStart[s]
        let deliveries = segmentStart[s + 1] - first - 1
        guard deliveries > 0 else { return }
        let frame = frames.add(message, deliveries: deliveries)
        var model = segmentModel[s]
        model.asymmetry = model.asymmetry + extraAsymmetry[s]
        let fromFirst = segmentEndpoints[first].clock == Int32(clock) && segmentEndpoints[first].port == Int32(port)
        for index in first..<segmentStart[s + 1] {
            let endpoint = segmentEndpoints[index]
            if endpoint.clock == Int32(clock) && endpoint.port == Int32(port) { continue }
            var delay = model.delay
            if fromFirst {
                delay = delay + model.asymmetry
            } else if index == first {
                delay = delay - model.asymmetry
            }
            var spread = 0.0
            if model.wander > 0 { spread = wander(into: index, model: model) }
            if model.jitter > 0 { spread += model.jitter * random.nextGaussian() }
            if spread != 0 {
                delay = delay + .nanoseconds(max(-delay.nanosecondsDouble / 2, spread))
            }
            queue.schedule(.deliver(clock: endpoint.clock, port: endpoint.port, frame: frame), at: now + deferral + delay)
        }
    }
}
