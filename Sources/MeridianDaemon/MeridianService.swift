import GNSSReference
import Glibc
import LinuxPlatform
import Logging
import MeridianConfig
import MeridianHTTP
import PTPCore
import PTPEngine
import PTPManagement
import PTPServo
import PTPWire
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The daemon as one service: opens the clock and every port, runs the instance until a graceful
/// shutdown (SIGTERM, SIGINT), re-reads the configuration on SIGHUP, and closes everything on the way
/// out so no half-built message is sent.
final class MeridianService: Service, CustomStringConvertible {
    let options: DaemonOptions
    let configuration: Configuration
    let settings: DaemonSettings
    let logger: Logger
    let factories: DaemonFactories

    init(options: DaemonOptions, configuration: Configuration, logger: Logger, factories: DaemonFactories = .linux) {
        self.options = options
        self.configuration = configuration
        self.settings = DaemonSettings(configuration)
        self.logger = logger
        self.factories = factories
    }

    /// The name ServiceGroup logs the service by. Without it, `ServiceGroupConfiguration` describes the service by
    /// reflecting over its stored properties (`Mirror`), which reads the reflection metadata of every type they hold
    /// at each start (ARCHITECTURE.md, "Memory and CPU").
    var description: String { "MeridianService" }

    func run() async throws {
        // Ports on other PHCs than the disciplined clock: refused (exit 2) unless boundary_clock_jbod says align them.
        let device = configuration.string("clock_device")
        var assignment: [PHCAssignment.Port] = []
        var emulatedAssignment = false
        if case .emulatedPHC = settings.clock {
            assignment = PHCAssignment.emulated(settings.ports)
            emulatedAssignment = true
        } else if settings.servo.timestamping == .hardware, device == "auto" || device.hasPrefix("/dev/ptp") {
            assignment = PHCAssignment.query(settings.ports)
        }
        if let problem = PHCAssignment.conflict(assignment, clockDevice: device, emulated: emulatedAssignment) {
            throw StartupError(problem, exit: .usage)
        }
        // jbod aligns every PHC but the disciplined one: that one must be known by index, or it would be "aligned"
        // to itself by a second servo (two steerers of one clock).
        if !emulatedAssignment, assignment.contains(where: { $0.jbod && $0.phcIndex != nil }),
            PHCAssignment.disciplinedIndex(assignment, clockDevice: device) == nil
        {
            throw StartupError(
                "boundary_clock_jbod: clock_device \(device) names no PHC index, so the disciplined PHC cannot be told "
                    + "from the ports' (\(assignment.map { "\($0.interface) on /dev/ptp\($0.phcIndex ?? -1)" }.joined(separator: ", "))); "
                    + "name it clock_device /dev/ptpN", exit: .usage)
        }
        let clock: ClockSource
        do {
            clock = try factories.openClock(settings)
        } catch {
            throw StartupError("cannot open the clock: \(error)")
        }
        logger.info("clock: \(clock.description)")
        let alignment: PHCAlignment?
        do {
            alignment = try openAlignment(assignment, emulated: emulatedAssignment, clockDevice: device, clock: clock)
        } catch {
            throw StartupError("boundary_clock_jbod: \(error)")
        }
        let ppsChannel = configuration.integer("phc_pps_out_channel")
        if ppsChannel >= 0 {
            guard let phc = clock.clock as? PHCClock else {
                throw StartupError(
                    "phc_pps_out_channel \(ppsChannel) needs a PTP hardware clock (clock_device /dev/ptpN, auto with "
                        + "hardware stamps, or virtual_clock_mode phc); \(clock.description) has no periodic output",
                    exit: .usage)
            }
            let pin = configuration.integer("phc_pps_out_pin")
            do {
                let output = try phc.startPulsePerSecond(
                    channel: UInt32(clamping: ppsChannel), pin: pin >= 0 ? UInt32(clamping: pin) : nil)
                logger.notice(
                    "1 PPS out: \(phc.name) channel \(ppsChannel)\(pin >= 0 ? " on pin \(pin)" : ""), first edge at PHC second \(output.start.seconds)"
                )
            } catch {
                throw StartupError("phc_pps_out_channel \(ppsChannel): \(error)")
            }
        }
        if let saved = DriftFile.load(settings.driftFile, logger: logger), clock.steerable {
            try? clock.clock.adjustFrequency(saved)
        }

        var ports: [any PortChannel] = []
        func closePorts() { for opened in ports { opened.close() } }
        for (index, port) in settings.ports.enumerated() {
            do {
                ports.append(try factories.openPort(index, port))
            } catch {
                closePorts()
                throw StartupError("port \(index + 1) (\(port.interface)): \(error)")
            }
        }
        // `clockIdentity` in the configuration wins over the MAC (linuxptp clock_create; checked at load).
        guard let first = ports.first, let identity = settings.clockIdentity ?? ClockIdentity(mac: first.macAddress) else {
            closePorts()
            throw StartupError("cannot derive a clock identity: the first interface has no 48-bit MAC address")
        }
        var defaultDS = settings.defaultDS
        defaultDS.clockIdentity = identity
        let servoFrequency = (try? clock.clock.frequency()) ?? .zero
        let servo = SelectedServo(
            settings.servoKind, configuration: settings.servo, currentFrequency: servoFrequency,
            clockMaximum: clock.clock.maxFrequency, syncInterval: 1)
        let referenceSettings = ReferenceSettings(configuration)
        let referenceKind: MeridianStatus.ReferenceKind
        switch referenceSettings.kind {
        case .none: referenceKind = .none
        case .gpsd: referenceKind = .gnss
        case .pps: referenceKind = .pps
        case .extts: referenceKind = .phcExternal
        case .simulated: referenceKind = .simulated
        }
        // A reference that stamps on CLOCK_REALTIME reaches a PHC only through the sys-offset relation: a PHC
        // that cannot be related cannot be disciplined to it (exit 2, as a configuration that cannot be had).
        var conversionUncertainty = PTPDuration.zero
        if [.gpsd, .pps, .simulated].contains(referenceSettings.kind) {
            do {
                conversionUncertainty = try clock.relation.worstUncertainty(of: 5)
            } catch {
                closePorts()
                throw StartupError(
                    "reference \(referenceSettings.kind.rawValue) stamps on CLOCK_REALTIME, but \(clock.description) "
                        + "cannot be related to the system clock (\(error)); use reference extts on this PHC, "
                        + "or clock_device system", exit: .usage)
            }
            if let measured = clock.relation.lastMeasurement {
                logger.notice(
                    "reference: CLOCK_REALTIME -> \(clock.clock.name) through \(measured.method) sys-offset, offset \(measured.offset.secondsDouble) s, uncertainty \(conversionUncertainty.roundedNanoseconds) ns"
                )
            }
        }
        // boundary_clock_jbod: what a port on another PHC serves crosses PHC to PHC as well, so a grandmaster's
        // announced error holds the widest such window too.
        if let alignment, referenceSettings.kind != .none {
            do {
                let jbod = try alignment.worstUncertainty()
                conversionUncertainty = conversionUncertainty + jbod
                logger.notice(
                    "reference: the jbod ports' PHC-to-PHC window (\(jbod.roundedNanoseconds) ns) is part of the announced error")
            } catch {
                closePorts()
                throw StartupError("boundary_clock_jbod: \(error)")
            }
        }
        let reference: ReferenceService?
        do {
            reference = try ReferenceService.make(
                referenceSettings, clock: clock, conversionUncertainty: conversionUncertainty, logger: logger)
        } catch {
            closePorts()
            throw StartupError("reference: \(error)")
        }
        // One pure composition: the ports' engines, the BMCA, and the clock engine (servo, outlier filter,
        // holdover, the reference's discipline). A reference says what the clock announces from the start
        // (free-running, class 248 by default).
        var instanceConfiguration = InstanceConfiguration(
            defaultDS: defaultDS, ports: settings.ports.map(\.engine),
            grandmasterQuality: GrandmasterQuality(clockQuality: defaultDS.clockQuality, timeProperties: settings.timeProperties),
            seed: identity.rawValue, clockDescription: settings.clockDescription,
            clock: ClockEngine(servo: servo, outlierFilter: settings.outlierFilter, reference: reference?.discipline))
        instanceConfiguration.bmca = settings.bmca
        instanceConfiguration.servoStability = settings.servoStability
        instanceConfiguration.transparentClock = settings.transparentClock
        let link = ManagementLink()
        let loop: ClockLoop
        do {
            loop = try ClockLoop()
        } catch {
            closePorts()
            throw StartupError("cannot start the clock's thread: \(error)")
        }
        var follower: SystemClockFollower?
        switch configuration.string("system_clock_follower") {
        case "realtime":
            if let problem = SystemClockFollower.conflict(followerIsRealtime: true, disciplined: clock) {
                closePorts()
                throw StartupError(problem, exit: .usage)
            }
            do {
                let system = try factories.openRealtimeFollower()
                follower = SystemClockFollower(clock: system, reading: { $0 }, trueError: nil, servo: settings.servo)
            } catch {
                closePorts()
                throw StartupError("system_clock_follower realtime: \(error)", exit: .usage)
            }
        case "virtual":
            do {
                let standIn = try VirtualClock(
                    configuration: VirtualClockConfiguration(
                        name: "virtual CLOCK_REALTIME", offsetSeconds: configuration.real("follower_virtual_offset"),
                        frequencyPPM: configuration.real("follower_virtual_freq_ppm")))
                follower = SystemClockFollower(
                    clock: standIn, reading: { standIn.convert(systemTimestamp: $0) }, trueError: { try? standIn.trueError() },
                    servo: settings.servo)
            } catch {
                closePorts()
                throw StartupError("system_clock_follower virtual: \(error)")
            }
        default:
            break
        }
        if let follower { logger.notice("system clock follower: \(follower.clock.name) follows \(clock.clock.name)") }
        var chronyFeed: ChronySockFeed?
        if let path = settings.refclockSockAddress {
            do {
                chronyFeed = try ChronySockFeed(path: path)
            } catch {
                closePorts()
                throw StartupError("refclock_sock_address \(path): \(error)", exit: .usage)
            }
            logger.notice("chrony: feeding SOCK refclock \(path) while locked")
        }
        var shmFeed: NTPSHMFeed?
        if let segment = settings.ntpSHMSegment {
            do {
                shmFeed = try NTPSHMFeed(segment: segment)
            } catch {
                closePorts()
                throw StartupError("ntpshm_segment \(segment): \(error)", exit: .usage)
            }
            logger.notice("ntpshm: writing NTP SHM segment \(segment) while locked")
        }
        var slaveEvents: SlaveEventReporter?
        if let path = settings.slaveEventMonitor {
            do {
                slaveEvents = try SlaveEventReporter(path: path)
            } catch {
                closePorts()
                throw StartupError("slave_event_monitor \(path): \(error)", exit: .usage)
            }
            logger.notice("slave event monitor: each Sync and Delay_Resp a slave port takes is reported to \(path)")
        }
        let clockActor = ClockActor(
            engine: InstanceEngine(configuration: instanceConfiguration), clock: clock, ports: ports, loop: loop,
            settings: settings, logger: logger, observers: link.observers,
            reopenPort: { [factories = self.factories, portSettings = settings.ports] index in
                try factories.openPort(index, portSettings[index])
            }, chronyFeed: chronyFeed, shmFeed: shmFeed, follower: follower, alignment: alignment,
            remeasuresConversion: [.gpsd, .pps, .simulated].contains(referenceSettings.kind),
            conversionRemeasureTicks: Int(clamping: configuration.integer("conversion_remeasure_interval")),
            slaveEvents: slaveEvents)
        if let reference {
            do {
                try reference.source.start()
            } catch {
                closePorts()
                throw StartupError("reference \(reference.description): \(error)")
            }
            logger.notice("reference: \(reference.description)")
        }
        // Management: pmc and meridianctl over the Unix sockets (ptp4l's paths by default) and the PTP ports.
        let descriptions = zip(settings.ports, ports).map { settings, port in
            ClockManagement.PortDescription(
                interface: settings.interface,
                timestamping: settings.managementTimestamping(software: self.settings.servo.timestamping == .software),
                alwaysASCapable: settings.alwaysASCapable, physicalAddress: port.macAddress,
                protocolAddress: port.protocolAddress,
                profileIdentity: settings.profileIdentity)
        }
        let clockManagement = ClockManagement(
            actor: clockActor, clock: clock, ports: descriptions, referenceKind: referenceKind)
        let managementConfiguration: ManagementServer.Configuration
        do {
            managementConfiguration = try ManagementServer.Configuration(resolving: configuration)
        } catch {
            reference?.source.stop()
            closePorts()
            throw error
        }
        let management = ManagementServer(configuration: managementConfiguration, backend: clockManagement)
        // The read-only HTTP endpoint (/metrics, /status.json, /): it reads what the clock actor and the
        // management server publish, never awaiting either. An address it cannot bind stops start-up (exit 2).
        var endpoint: HTTPEndpoint?
        let history = History()
        let httpStatistics = HTTPStatistics()
        if case .success(let address?) = HTTPAddress.parse(configuration.string("http_address")) {
            do {
                endpoint = try await ObservabilityEndpoint.start(address, history: history, statistics: httpStatistics) {
                    let published = clockActor.published.load()
                    let statistics = management.publishedStatistics.withLock { $0 }
                    var snapshot = clockManagement.snapshot(of: published)
                    snapshot.status.management = statistics.wire
                    return ObservedState(
                        published: published, snapshot: snapshot, management: statistics, http: httpStatistics.byStatus)
                }
            } catch {
                reference?.source.stop()
                closePorts()
                throw error
            }
            if let endpoint {
                logger.notice("http: serving /metrics, /status.json and / on \(endpoint.boundAddress):\(endpoint.boundPort)")
            }
        }
        do {
            try await management.start()
        } catch {
            await endpoint?.stop()
            reference?.source.stop()
            closePorts()
            // A live server on the path (another ptp4l or meridiand) is what the configuration asked for but
            // cannot have: exit 2, as for an address the HTTP endpoint cannot bind.
            let live: Bool
            if case UnixSocketError.liveServer = error { live = true } else { live = false }
            throw StartupError(
                "management socket \(configuration.string("uds_address")): \(error)", exit: live ? .usage : .failure)
        }
        // `user`: everything that needed root is open; from here every thread runs as that user (``Privileges``).
        do {
            for line in try Privileges.switchUser(configuration) { logger.notice("\(line)") }
        } catch {
            await endpoint?.stop()
            reference?.source.stop()
            closePorts()
            throw error
        }
        link.attach(management)
        // Management with boundary hops left goes out of the PTP ports (15.3.3), as ptp4l forwards it.
        await management.setForwarder { bytes, ports in
            for port in ports { await clockActor.sendManagement(bytes, port: Int(port) - 1) }
        }
        let portList = settings.ports.map { "\($0.interface) (\($0.networkProtocol))" }.joined(separator: ", ")
        logger.notice("clock identity \(identity), \(ports.count) port(s): \(portList)")

        await withTaskGroup(of: Void.self) { group in
            for index in ports.indices {
                group.addTask { await clockActor.serve(port: index) }
            }
            group.addTask { await self.reloadOnHangup(clockActor) }
            // The status page's chart: one sample a second from the published state, while the endpoint serves
            // (a timer of the clock's loop; the clock's stop cancels it with the others).
            if endpoint != nil {
                await clockActor.recordHistory(into: history)
            }
            group.addTask {
                do {
                    try await management.run()
                } catch {
                    self.logger.error("management: \(error)")
                }
            }
            // Management messages received on the PTP ports (15.3): answered out of the port they came in on.
            group.addTask {
                for await (bytes, port) in clockActor.managementMessages {
                    for reply in await management.handleNetwork(bytes, ingressPort: UInt16(port + 1)) {
                        await clockActor.sendManagement(reply, port: port)
                    }
                }
            }
            if let reference {
                group.addTask {
                    for await event in reference.events {
                        switch event {
                        case .sample(let sample): await clockActor.referenceSample(sample)
                        case .connected: self.logger.notice("reference \(reference.description): connected")
                        case .disconnected(let reason): self.logger.warning("reference \(reference.description): \(reason)")
                        case .unlabelledEdge(let reason): self.logger.info("reference edge without time of day: \(reason)")
                        case .rejectedReport(let reason): await clockActor.referenceReportRejected(reason)
                        }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        await clockActor.referenceTick()
                    }
                }
            }
            await clockActor.start()
            SystemdNotify.ready("READY=1\nSTATUS=serving \(ports.count) port(s)")
            let periodicDrift = Task { await self.saveDriftPeriodically(clock, clockActor) }
            let aligning =
                alignment == nil
                ? nil
                : Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        await clockActor.alignmentTick()
                    }
                }
            let following =
                follower == nil
                ? nil
                : Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        await clockActor.followerTick()
                    }
                }
            try? await gracefulShutdown()
            logger.notice("shutting down")
            SystemdNotify.ready("STOPPING=1")
            periodicDrift.cancel()
            following?.cancel()
            aligning?.cancel()
            await clockActor.stop()
            reference?.source.stop()
            closePorts()
            await endpoint?.stop()
            DriftFile.save(settings.driftFile, frequency: await clockActor.learnedFrequency, clock: clock, logger: logger)
            group.cancelAll()
        }
    }

    /// `boundary_clock_jbod`: opens every PHC a port stamps with other than the disciplined clock, each with its
    /// alignment servo (nil when there is none). `assignment` is what ``PHCAssignment`` checked.
    private func openAlignment(
        _ assignment: [PHCAssignment.Port], emulated: Bool, clockDevice: String, clock: ClockSource
    ) throws(ClockError) -> PHCAlignment? {
        let disciplinedIndex = emulated ? 0 : PHCAssignment.disciplinedIndex(assignment, clockDevice: clockDevice)
        var byIndex: [Int32: [Int]] = [:]
        for (port, entry) in assignment.enumerated() {
            guard entry.jbod, let index = entry.phcIndex, index != disciplinedIndex else { continue }
            byIndex[index, default: []].append(port)
        }
        guard !byIndex.isEmpty else { return nil }
        var aligned: [PHCAlignment.Aligned] = []
        for (index, ports) in byIndex.sorted(by: { $0.key < $1.key }) {
            let phc: PHCClock
            let reading: @Sendable (PTPInstant) -> PTPInstant
            var trueOffset: (@Sendable () -> PTPDuration?)?
            if emulated {
                // Each emulated PHC is its own oscillator (its port section's virtual_clock_* keys); packets are
                // stamped as its NIC would stamp them: its reading at the kernel's software stamp.
                let configuration =
                    settings.emulatedPortPHCs[index]
                    ?? VirtualClockConfiguration(name: "emulated PHC \(index)", offsetSeconds: 0, frequencyPPM: 0)
                let device = try EmulatedPHCDevice(
                    configuration: configuration, taiMinusUTC: Int(clamping: self.configuration.integer("utc_offset")),
                    readModel: EmulatedPHCDevice.ReadModel(seed: UInt64(truncatingIfNeeded: index) &+ 1))
                phc = try PHCClock(device: device)
                reading = { device.hardwareStamp(systemTimestamp: $0) }
                let disciplinedError = clock.trueError
                trueOffset = {
                    guard let own = try? device.trueError(), let other = disciplinedError?() else { return nil }
                    return own - other
                }
            } else {
                phc = try PHCClock(index: index)
                reading = { $0 }
            }
            let relation = SystemClockRelation(.measured(phc, samples: 5))
            // A PHC that cannot be related to the system clock cannot be aligned: refuse now, not at the first tick.
            _ = try relation.measure()
            aligned.append(
                PHCAlignment.Aligned(
                    ports: ports, phc: phc, relation: relation, reading: reading, trueOffset: trueOffset,
                    servo: PHCAlignment.servo(for: phc, settings: settings.servo)))
            let names = ports.map { settings.ports[$0].interface }.joined(separator: ", ")
            logger.notice(
                "jbod: \(names) on \(phc.name), kept aligned to \(clock.clock.name); timestamps converted into its time")
        }
        return PHCAlignment(aligned: aligned, disciplined: clock.relation)
    }

    /// SIGHUP: re-read the files; apply what can change while running, refuse the rest with a log line.
    private func reloadOnHangup(_ instance: ClockActor) async {
        let requests = await factories.reloadRequests()
        var running = configuration
        for await _ in requests.cancelOnGracefulShutdown() {
            logger.notice("SIGHUP: re-reading the configuration")
            switch ConfigurationLoader.load(options) {
            case .failure(let errors):
                logger.error("configuration rejected, keeping the running one:\n\(errors)")
            case .success(let fresh):
                let plan = ConfigurationReload.plan(from: running, to: fresh)
                for line in plan.lines { logger.notice("\(line)") }
                if plan.priority1 != nil || plan.priority2 != nil {
                    await instance.setPriorities(
                        priority1: plan.priority1 ?? UInt8(clamping: running.integer("priority1")),
                        priority2: plan.priority2 ?? UInt8(clamping: running.integer("priority2")))
                }
                if let slaveOnly = plan.slaveOnly { await instance.setSlaveOnly(slaveOnly) }
                // What was applied is now the running configuration; the rest waits for a restart.
                for name in ConfigurationReload.liveOptions {
                    if let setting = fresh.global[name] {
                        running.global[name] = setting
                    } else {
                        running.global.removeValue(forKey: name)
                    }
                }
            }
        }
    }

    private func saveDriftPeriodically(_ clock: ClockSource, _ clockActor: ClockActor) async {
        guard settings.driftFile != nil else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
            if Task.isCancelled { return }
            DriftFile.save(settings.driftFile, frequency: await clockActor.learnedFrequency, clock: clock, logger: logger)
        }
    }
}

struct StartupError: Error, CustomStringConvertible {
    let description: String
    /// How meridiand exits: 1 for a failure, 2 (``DaemonExit/usage``) for what the configuration asked that
    /// cannot be had (an `http_address` that cannot be bound).
    let exit: DaemonExit
    init(_ description: String, exit: DaemonExit = .failure) {
        self.description = description
        self.exit = exit
    }
}

extension DaemonFactories {
    /// The real clock and ports: the configured clock device, a socket per transport and an I/O thread per port.
    static let linux = DaemonFactories(
        openClock: { settings in try ClockSource.open(settings.clock, settings: settings) },
        openPort: { _, port in try LinuxPortChannel(settings: port) },
        reloadRequests: hangups)

    /// Every SIGHUP the process receives.
    @Sendable static func hangups() async -> AsyncStream<Void> {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        return AsyncStream { continuation in
            let forwarding = Task {
                for await _ in signals { continuation.yield() }
                continuation.finish()
            }
            continuation.onTermination = { _ in forwarding.cancel() }
        }
    }
}

/// Lets the clock actor tell management of changes, although management is made after the actor (its
/// backend reads the actor's published state). Until ``attach(_:)`` the notifications go nowhere.
final class ManagementLink: Sendable {
    private let server = Mutex<ManagementServer?>(nil)

    func attach(_ management: ManagementServer) {
        server.withLock { $0 = management }
    }

    var observers: ClockActor.Observers {
        ClockActor.Observers(
            portStateChanged: { number in
                guard let management = self.server.withLock({ $0 }) else { return }
                Task { await management.notifyPortStateChanged(port: number) }
            },
            parentChanged: {
                guard let management = self.server.withLock({ $0 }) else { return }
                Task { await management.notifyParentChanged() }
            },
            referenceStateChanged: {
                guard let management = self.server.withLock({ $0 }) else { return }
                Task { await management.notifyReferenceStateChanged() }
            },
            syncStateChanged: {
                guard let management = self.server.withLock({ $0 }) else { return }
                Task { await management.notifyReferenceStateChanged() }
            },
            timeSynced: {
                // Every Sync at 16 Hz: a task only while someone subscribed to TIME_SYNC.
                guard let management = self.server.withLock({ $0 }),
                    management.timeSyncSubscribed.withLock({ $0 })
                else { return }
                Task { await management.notifyTimeSync() }
            })
    }
}
