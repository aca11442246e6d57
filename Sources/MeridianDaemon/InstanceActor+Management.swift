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
            let counts: (received: [UInt64], sent: [UInt64]) = index < portActors.count ? portActors[index].messageCounts : ([], [])
            return ManagementPortExtras(
                interfaceName: name, timestamping: softwareStamps ? .software : .hardware,
                receivedMessages: counts.received, sentMessages: counts.sent)
        }
        let status = await clockOwner.meridianStatus(referenceKind: referenceKindCode)
        var snapshot = ManagementSnapshot(
            engine: snapshotEngine, ports: extras, synchronizationUncertain: synchronizationUncertain, status: status)
        snapshot.timeStatus.ingressTime = lastIngress?.sinceEpoch.nanoseconds ?? 0
        return snapshot
    }

    func apply(_ command: ManagementCommand) async -> Result<Void, ManagementErrorID> {
        if case .setSynchronizationUncertain(let value) = command {
            synchronizationUncertain = value
            return .success(())
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
            status.referenceState = status.inHoldover ? .lost : .fix3D
            status.lastPPSOffset = reference.lastOffset?.roundedNanoseconds ?? 0
            if status.inHoldover, let since = reference.stateSince {
                status.holdoverSeconds = UInt32(clamping: max(0, (clockNow() - since).nanoseconds / 1_000_000_000))
            }
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
}
