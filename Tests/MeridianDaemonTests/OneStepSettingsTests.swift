import Foundation
import LinuxPlatform
import MeridianConfig
import PTPCore
import PTPWire
import Testing

@testable import MeridianDaemon

/// Issue 13: what the daemon makes of one-step, as linuxptp config.c `config_harmonize_onestep` settles it: the
/// tx_type each port's transport asks, whether its engine sends one-step Sync and Pdelay_Resp, defaultDS's
/// twoStepFlag, and PORT_PROPERTIES_NP's timestamping as ptp4l reports it.
struct OneStepSettingsTests {
    func settings(_ global: String, port: String = "") throws -> DaemonSettings {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-onestep-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("m.cfg")
        try "[global]\n\(global)[eth0]\n\(port)".write(to: file, atomically: true, encoding: .utf8)
        return DaemonSettings(try ConfigurationLoader.load(DaemonOptions(configFile: file.path)).get())
    }

    @Test(
        arguments: [
            ("time_stamping hardware\n", TransmitStampMode.twoStep, TimestampingNP.hardware),
            ("time_stamping hardware\ntwoStepFlag 0\n", .oneStepSync, .oneStep),
            ("time_stamping onestep\n", .oneStepSync, .oneStep),
            // onestep implies twoStepFlag 0 (ptp4l clears it to match).
            ("time_stamping onestep\ntwoStepFlag 1\n", .oneStepSync, .oneStep),
            ("time_stamping p2p1step\n", .oneStepPeerDelay, .p2pOneStep),
        ])
    func hardwareModes(global: String, transmit: TransmitStampMode, management: TimestampingNP) throws {
        let s = try settings(global, port: "delay_mechanism P2P\n")
        let port = try #require(s.ports.first)
        #expect(port.transport.timestamping == .hardware)
        #expect(port.transport.transmitStamps == transmit)
        #expect(port.engine.oneStep == (transmit != .twoStep))
        #expect(port.engine.oneStepPeerDelay == (transmit == .oneStepPeerDelay))
        #expect(s.defaultDS.twoStepFlag == (transmit == .twoStep))
        #expect(port.managementTimestamping(software: false) == management)
    }

    @Test func softwareStampsStayTwoStep() throws {
        let s = try settings("time_stamping software\nclock_device virtual\n")
        let port = try #require(s.ports.first)
        #expect(port.transport.transmitStamps == .twoStep)
        #expect(!port.engine.oneStep && !port.engine.oneStepPeerDelay)
        #expect(s.defaultDS.twoStepFlag)
        #expect(port.managementTimestamping(software: true) == .software)
    }
}
