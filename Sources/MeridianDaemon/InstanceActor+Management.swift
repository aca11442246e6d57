import LinuxPlatform
import PTPCore
import PTPEngine
import PTPManagement
import PTPServo
import PTPWire

/// The instance's data sets for management (pmc, meridianctl) and the commands management carries out.
extension InstanceActor: ManagementBackend {
    func snapshot() async -> ManagementSnapshot {
        let extras = portInterfaces.enumerated().map { index, name in
            var extra = ManagementPortExtras(interfaceName: name, timestamping: softwareStamps ? .software : .hardware)
            guard index < portActors.count else { return extra }
            let port = portActors[index]
            (extra.receivedMessages, extra.sentMessages) = port.messageCounts
            extra.physicalAddress = port.physicalAddress
            extra.protocolAddress = port.protocolAddress
            extra.dataSetNP = ManagementPortExtras.dataSetNP(
                neighborPropDelayThresh: port.neighborPropDelayThresh, alwaysCapable: port.alwaysASCapable,
                received: extra.receivedMessages, sent: extra.sentMessages)
            return extra
        }
        let status = await clockOwner.meridianStatus(referenceKind: referenceKindCode)
        var snapshot = ManagementSnapshot(
            engine: snapshotEngine, ports: extras, synchronizationUncertain: synchronizationUncertain, status: status)
        snapshot.timeStatus.ingressTime = lastIngress?.sinceEpoch.nanoseconds ?? 0
        return snapshot
    }

    func apply(_ command: ManagementCommand) async -> Result<Void, ManagementErrorID> {
        switch command {
        case .setSynchronizationUncertain(let value):
            synchronizationUncertain = value
            return .success(())
        case .setNeighborPropDelayThresh(let number, let nanoseconds):
            let index = Int(number) - 1
            guard portActors.indices.contains(index) else { return .failure(.wrongValue) }
            portActors[index].setNeighborPropDelayThresh(nanoseconds)
            return .success(())
        default:
            break
        }
        return applyToEngine(command)
    }
}

extension ClockActor {
    /// What pmc cannot show: the reference, the servo, the virtual clock's true error (MERIDIAN_STATUS_NP).
    func meridianStatus(referenceKind: MeridianStatus.ReferenceKind) -> MeridianStatus {
        var status = MeridianStatus()
        if let reference {
            status.referenceKind = referenceKind
            status.ppsValid = reference.state == .locked
            status.inHoldover = reference.state == .holdoverWithinSpecification || reference.state == .holdoverOutOfSpecification
            status.referenceState = status.inHoldover ? .lost : .unknown
            status.lastPPSOffset = reference.lastOffset?.roundedNanoseconds ?? 0
            // Since holdover began, not since the last state change: going out of spec does not restart it.
            if status.inHoldover, let since = reference.holdover.holdoverStart ?? reference.stateSince {
                status.holdoverSeconds = UInt32(clamping: max(0, (clockNow() - since).nanoseconds / 1_000_000_000))
            }
        }
        // The receiver as its latest report described it (fix mode, satellites used), while that report is
        // fresh: a silent receiver has nothing to show but `lost`.
        if let report = lastReceiverReport, ContinuousClock.now - report.at <= Self.receiverReportLifetime {
            status.satellites = UInt8(clamping: max(0, report.satellites ?? 0))
            status.referenceState = MeridianStatus.ReferenceState(report.fix)
        }
        if let step = lastStep {
            status.lastOffset = step.offsetFromMaster.roundedNanoseconds
            status.lastPathDelay = step.meanPathDelay.roundedNanoseconds
        }
        // The one servo, whichever source steers it now.
        status.servoFrequency = Int64(servoFrequency.value.rounded())
        switch servoState {
        case .unlocked: status.servoState = .unlocked
        case .jump: status.servoState = .jump
        case .locked: status.servoState = status.inHoldover ? .holdover : .locked
        }
        status.virtualClockError = trueError
        return status
    }

    /// How long a receiver report is shown: two missed pulses at 1 PPS, like the reference's own timeout.
    static let receiverReportLifetime = Duration.milliseconds(2_500)
}

extension MeridianStatus.ReferenceState {
    /// The status code of a receiver's fix.
    init(_ fix: GNSSFixMode) {
        switch fix {
        case .unknown: self = .unknown
        case .noFix: self = .noFix
        case .twoDimensional: self = .fix2D
        case .threeDimensional: self = .fix3D
        }
    }
}
