import Glibc
import LinuxPlatform
import GNSSReference
import Logging
import MeridianConfig
import PTPManagement
import PTPCore
import PTPEngine
import PTPServo
import ServiceLifecycle
import UnixSignals

/// The daemon as one service: opens the clock and every port, runs the instance until a graceful
/// shutdown (SIGTERM, SIGINT), re-reads the configuration on SIGHUP, and closes everything on the way
/// out so no half-built message is sent.
final class MeridianService: Service {
    let options: DaemonOptions
    let configuration: Configuration
    let settings: DaemonSettings
    let logger: Logger

    init(options: DaemonOptions, configuration: Configuration, logger: Logger) {
        self.options = options
        self.configuration = configuration
        self.settings = DaemonSettings(configuration)
        self.logger = logger
    }

    func run() async throws {
        let clock: ClockSource
        do {
            clock = try ClockSource.open(settings.clock, settings: settings)
        } catch {
            throw StartupError("cannot open the clock: \(error)")
        }
        logger.info("clock: \(clock.description)")
        if let saved = DriftFile.load(settings.driftFile, logger: logger), clock.steerable {
            try? clock.clock.adjustFrequency(saved)
        }

        var ports: [PortActor] = []
        for (index, port) in settings.ports.enumerated() {
            do {
                ports.append(try PortActor(index: index, settings: port, clock: clock, logger: logger))
            } catch {
                for opened in ports { await opened.shutDown() }
                throw StartupError("port \(index + 1) (\(port.interface)): \(error)")
            }
        }
        guard let first = ports.first, let identity = ClockIdentity(mac: first.transport.interface.macAddress) else {
            for opened in ports { await opened.shutDown() }
            throw StartupError("cannot derive a clock identity: the first interface has no 48-bit MAC address")
        }
        var defaultDS = settings.defaultDS
        defaultDS.clockIdentity = identity
        let servoFrequency = (try? clock.clock.frequency()) ?? .zero
        let servo = SelectedServo(
            settings.servoKind, configuration: settings.servo, currentFrequency: servoFrequency,
            clockMaximum: clock.clock.maxFrequency, syncInterval: 1)
        let instanceConfiguration = InstanceConfiguration(
            defaultDS: defaultDS, ports: settings.ports.map(\.engine),
            grandmasterQuality: GrandmasterQuality(clockQuality: defaultDS.clockQuality, timeProperties: settings.timeProperties),
            seed: identity.rawValue)
        let referenceSettings = ReferenceSettings(configuration)
        let referenceKind: MeridianStatus.ReferenceKind
        switch referenceSettings.kind {
        case .none: referenceKind = .none
        case .gpsd: referenceKind = .gnss
        case .pps: referenceKind = .pps
        case .extts: referenceKind = .phcExternal
        case .simulated: referenceKind = .simulated
        }
        let clockActor = ClockActor(
            clock: clock, servo: servo, outlierFilter: settings.outlierFilter, summaryInterval: Int(settings.summaryInterval), logger: logger)
        let instance = InstanceActor(
            engine: InstanceEngine(configuration: instanceConfiguration), clock: clockActor, logger: logger, portInterfaces: settings.ports.map(\.interface),
            softwareStamps: settings.servo.timestamping == .software, referenceKind: referenceKind)
        await instance.attach(ports)
        for port in ports { await port.attach(instance) }
        let reference: ReferenceService?
        do {
            reference = try ReferenceService.make(referenceSettings, clock: clock, logger: logger)
        } catch {
            for opened in ports { await opened.shutDown() }
            throw StartupError("reference: \(error)")
        }
        if let reference {
            await clockActor.attach(reference: reference.discipline)
            // Announce what the reference makes us (free-running, class 248 by default) from the start.
            await instance.setGrandmasterQuality(reference.discipline.quality)
            do {
                try reference.source.start()
            } catch {
                for opened in ports { await opened.shutDown() }
                throw StartupError("reference \(reference.description): \(error)")
            }
            logger.notice("reference: \(reference.description)")
        }
        // Management: pmc and meridianctl over the Unix sockets (ptp4l's paths by default) and the PTP ports.
        let management = ManagementServer(
            configuration: ManagementServer.Configuration(
                readWritePath: configuration.string("uds_address"),
                readOnlyPath: configuration.string("uds_ro_address").isEmpty ? nil : configuration.string("uds_ro_address"),
                networkWritesAllowed: configuration.flag("management_network_writes")),
            backend: instance)
        do {
            try await management.start()
        } catch {
            reference?.source.stop()
            for opened in ports { await opened.shutDown() }
            throw StartupError("management socket \(configuration.string("uds_address")): \(error)")
        }
        await instance.setPortStateObserver { number in await management.notifyPortStateChanged(port: number) }
        await instance.setParentObserver { await management.notifyParentChanged() }
        await clockActor.observe(
            quality: { quality in await instance.setGrandmasterQuality(quality) },
            referenceState: { _ in await management.notifyReferenceStateChanged() })
        for port in ports {
            await port.attachManagement { bytes, ingress in await management.handleNetwork(bytes, ingressPort: ingress) }
        }
        let portList = settings.ports.map { "\($0.interface) (\($0.networkProtocol))" }.joined(separator: ", ")
        logger.notice("clock identity \(identity), \(ports.count) port(s): \(portList)")

        await withTaskGroup(of: Void.self) { group in
            for port in ports {
                group.addTask { await port.run() }
            }
            group.addTask { await self.reloadOnHangup(instance) }
            group.addTask { await clockActor.watchMeasurements() }
            group.addTask {
                do {
                    try await management.run()
                } catch {
                    self.logger.error("management: \(error)")
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
            await instance.start()
            SystemdNotify.ready("READY=1\nSTATUS=serving \(ports.count) port(s)")
            let periodicDrift = Task { await self.saveDriftPeriodically(clock, clockActor) }
            try? await gracefulShutdown()
            logger.notice("shutting down")
            SystemdNotify.ready("STOPPING=1")
            periodicDrift.cancel()
            await instance.stop()
            reference?.source.stop()
            for port in ports { await port.shutDown() }
            DriftFile.save(settings.driftFile, frequency: await clockActor.learnedFrequency, clock: clock, logger: logger)
            group.cancelAll()
        }
    }

    /// SIGHUP: re-read the files; apply what can change while running, refuse the rest with a log line.
    private func reloadOnHangup(_ instance: InstanceActor) async {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        var running = configuration
        for await _ in signals.cancelOnGracefulShutdown() {
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
                    if let setting = fresh.global[name] { running.global[name] = setting } else { running.global.removeValue(forKey: name) }
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
    init(_ description: String) { self.description = description }
}
