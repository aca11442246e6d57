import GNSSReference
import LinuxPlatform
import Logging
import MeridianConfig
import PTPCore
import PTPEngine
import PTPServo

/// The time reference of a grandmaster (gpsd, kernel PPS, PHC external timestamps or simulated GNSS):
/// its source, running on its own thread, and the pure ``ReferenceDiscipline`` that turns its samples into
/// clock steering (through the clock's one servo), holdover and the announced quality. The discipline goes
/// into the instance's ``ClockEngine``; the ``ClockActor`` feeds it the source's samples.
struct ReferenceService: Sendable {
    let source: any ReferenceSource
    let events: AsyncStream<ReferenceEvent>
    let discipline: ReferenceDiscipline
    let description: String

    /// Nil when `reference none`.
    ///
    /// gpsd, kernel PPS and simulated GNSS stamp on CLOCK_REALTIME (UTC); their stamps cross to the
    /// disciplined clock through ``ClockSource/relation`` (on a PHC: measured PHC − system time, which holds
    /// TAI − UTC), and that crossing's uncertainty (`conversionUncertainty`, the sys-offset window) enters the
    /// announced accuracy. PHC external timestamps are on the PHC already (the caller passes no crossing for them;
    /// with `boundary_clock_jbod` the ports' PHC-to-PHC window is part of it whatever the reference).
    static func make(
        _ settings: ReferenceSettings, clock: ClockSource, conversionUncertainty: PTPDuration = .zero, logger: Logger
    ) throws(ReferenceError) -> ReferenceService? {
        let (stream, continuation) = AsyncStream<ReferenceEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let onEvent: @Sendable (ReferenceEvent) -> Void = { continuation.yield($0) }
        let relation = clock.relation
        let systemToClock: @Sendable (PTPInstant) -> PTPInstant = { relation.clockTime(atSystem: $0) }
        let source: any ReferenceSource
        switch settings.kind {
        case .none:
            return nil
        case .gpsd:
            source = GPSDReference(
                host: settings.gpsdHost, port: settings.gpsdPort, systemToClock: systemToClock, onEvent: onEvent)
        case .pps:
            source = KernelPPSReference(
                devicePath: settings.ppsDevice, gpsdHost: settings.gpsdHost, gpsdPort: settings.gpsdPort,
                systemToClock: systemToClock, onEvent: onEvent)
        case .extts:
            guard let phc = clock.clock as? PHCClock, phc.device is KernelPHCDevice else {
                throw ReferenceError("reference extts needs clock_device /dev/ptpN (the PHC whose pin takes the PPS)")
            }
            let polarity: ExternalTimestampFilter.Polarity =
                settings.exttsPolarity == "falling" ? .falling : settings.exttsPolarity == "both" ? .both : .rising
            source = PHCExternalTimestampReference(
                devicePath: phc.name, pinIndex: settings.pinIndex, channel: settings.exttsChannel, polarity: polarity,
                correction: .nanoseconds(settings.exttsCorrectionNanoseconds), gpsdHost: settings.gpsdHost,
                gpsdPort: settings.gpsdPort, phcToClock: { $0 }, onEvent: onEvent)
        case .simulated:
            let configuration = SimulatedGNSS.Configuration(
                jitterNanoseconds: settings.simulatedJitterNanoseconds,
                outageAfter: settings.simulatedOutageAfterSeconds.map { .seconds($0) },
                outageDuration: .seconds(settings.simulatedOutageDurationSeconds), seed: settings.simulatedSeed)
            source = SimulatedGNSSReference(configuration: configuration, systemToClock: systemToClock, onEvent: onEvent)
        }
        var table: LeapSecondTable?
        if let path = settings.leapfile {
            switch LeapSecondTable.parse(try LeapSecondsFile.read(path: path)) {
            case .success(let parsed): table = parsed
            case .failure(let error): throw ReferenceError("leapfile \(path): \(error)")
            }
        }
        let timescale = clock.timescale
        let configuration = ReferenceDisciplineConfiguration(
            validator: ReferenceValidatorConfiguration(
                minimumFix: GNSSFixMode(rawValue: settings.minimumFix) ?? .threeDimensional,
                minimumSatellites: settings.minimumSatellites, edgeWindow: .nanoseconds(settings.edgeWindowNanoseconds)),
            holdover: HoldoverConfiguration(
                maxError: .seconds(settings.holdoverMaxErrorSeconds),
                maxTime: settings.holdoverMaxTimeSeconds.map { .seconds($0) },
                randomWalkNoise: settings.holdoverFrequencyWander),
            quality: GrandmasterQualityPolicy(
                profile: GrandmasterQualityPolicy.Profile(rawValue: settings.qualityProfile) ?? .default,
                lockedClass: settings.classLocked, holdoverClass: settings.classHoldover,
                holdoverOutOfSpecClass: settings.classHoldoverOutOfSpec, freeRunningClass: settings.classFreeRunning),
            timescale: timescale,
            lockThreshold: settings.lockThresholdNanoseconds.map { .nanoseconds($0) })
        var withConversion = configuration
        withConversion.conversionUncertainty = conversionUncertainty
        let discipline = ReferenceDiscipline(
            configuration: withConversion,
            utcResolver: UTCOffsetResolver(configuredOffset: settings.utcOffset, table: table))
        return ReferenceService(
            source: source, events: stream, discipline: discipline, description: "\(settings.kind.rawValue) (\(source.name))")
    }
}
