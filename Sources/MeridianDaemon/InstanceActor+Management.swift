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
        var snapshot = ManagementSnapshot(
            engine: snapshotEngine, ports: extras, synchronizationUncertain: synchronizationUncertain, status: meridianStatus())
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

    /// What pmc cannot show: the reference, the servo, the virtual clock's true error (MERIDIAN_STATUS_NP).
    private func meridianStatus() -> MeridianStatus {
        var status = MeridianStatus()
        if let reference = referenceStatus {
            status.referenceKind = referenceKindCode
            status.ppsValid = reference.state == .locked
            status.inHoldover = reference.state == .holdoverWithinSpecification || reference.state == .holdoverOutOfSpecification
            status.referenceState = status.inHoldover ? .lost : .fix3D
            status.lastPPSOffset = reference.lastOffset?.roundedNanoseconds ?? 0
            if status.inHoldover, let since = reference.stateSince, let now = try? clockSource.clock.now() {
                status.holdoverSeconds = UInt32(clamping: max(0, (now - since).nanoseconds / 1_000_000_000))
            }
        }
        if let step = lastStep {
            status.lastOffset = step.offsetFromMaster.roundedNanoseconds
            status.lastPathDelay = step.meanPathDelay.roundedNanoseconds
            status.servoFrequency = Int64(step.output.frequency.value.rounded())
        }
        // The servo that steers now: the reference's while a reference disciplines the grandmaster.
        let steering = referenceStatus.map { $0.servo.state } ?? servoState
        switch steering {
        case .unlocked: status.servoState = .unlocked
        case .jump: status.servoState = .jump
        case .locked: status.servoState = status.inHoldover ? .holdover : .locked
        }
        status.virtualClockError = (try? clockSource.virtual?.trueError())?.roundedNanoseconds
        return status
    }
}
