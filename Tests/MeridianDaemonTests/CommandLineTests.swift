import Foundation
import Testing

/// `meridiand` as an operator runs it: real files, the real binary, exit codes and messages.
struct CommandLineTests {
    /// A scratch directory with the given files, removed afterwards.
    func withFiles(_ files: [String: String], _ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meridian-cli-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try body(directory)
    }

    /// Runs the built `meridiand` (it sits next to the test bundle in the build directory).
    func meridiand(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(Self.binary("meridiand"), "meridiand is not built next to the tests; run swift build first")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// A product of this package: next to the test runner (`swift test`), else in `.build/debug`.
    static func binary(_ name: String) -> URL? {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            runner.deletingLastPathComponent().appendingPathComponent(name),
            root.appendingPathComponent(".build/debug/\(name)"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    @Test func aBadCommandLineExitsTwoWithTheReasonAndHelpExitsZero() throws {
        let bad = try meridiand(["-m", "-x"])
        #expect(bad.status == 2)
        #expect(bad.stderr == "meridiand: unknown option -x\nTry 'meridiand -h' for the options.\n", "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)
        let help = try meridiand(["-h"])
        #expect(help.status == 0 && help.stdout.hasPrefix("usage: meridiand [options]") && help.stderr.isEmpty)
        let version = try meridiand(["-v"])
        #expect(version.status == 0 && version.stdout == "meridiand 0.1.0\n")
    }

    @Test func checkConfigPrintsTheEffectiveSettingsOfMainFileAndPortsD() throws {
        try withFiles([
            "gm.conf": "[global]\npriority1 100\nlogSyncInterval -4\n[eth0]\nmasterOnly 1\n",
            "ports.d/eth1.conf": "logSyncInterval -3\n",
            "ports.d/README": "not a port",
        ]) { dir in
            let result = try meridiand(["-f", dir.appendingPathComponent("gm.conf").path, "--check-config", "-S"])
            #expect(result.status == 0, "\(result.stderr)")
            // Columns widen with the longest option name; compare with runs of spaces folded.
            let text = result.stdout.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            #expect(text.contains("priority1 100 # \(dir.path)/gm.conf:2"))
            #expect(text.contains("[eth0] # \(dir.path)/gm.conf:4"))
            #expect(text.contains("[eth1] # \(dir.path)/ports.d/eth1.conf"))
            #expect(text.contains("logSyncInterval -3 # \(dir.path)/ports.d/eth1.conf:1"))
            #expect(text.contains("time_stamping software # command line"))
        }
    }

    @Test func aTypoExitsTwoWithFileLineAndSuggestion() throws {
        try withFiles(["gm.conf": "[global]\n\npriorty1 100\n[eth0]\n"]) { dir in
            let result = try meridiand(["-f", dir.appendingPathComponent("gm.conf").path, "--check-config"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("\(dir.path)/gm.conf:3: unknown option priorty1 (did you mean priority1?)"))
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func aMalformedHTTPAddressExitsTwoWithFileLine() throws {
        try withFiles(["gm.conf": "[global]\nhttp_address 127.0.0.1\n[eth0]\n"]) { dir in
            let result = try meridiand(["-f", dir.appendingPathComponent("gm.conf").path, "--check-config"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("gm.conf:2:"), "\(result.stderr)")
            #expect(result.stderr.contains("http_address"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func outOfRangeExitsTwo() throws {
        try withFiles(["gm.conf": "[global]\n[eth0]\nannounceReceiptTimeout 1\n"]) { dir in
            let result = try meridiand(["-f", dir.appendingPathComponent("gm.conf").path])
            #expect(result.status == 2)
            #expect(result.stderr.contains("gm.conf:3: 1 is out of range for option announceReceiptTimeout: 2 to 255"))
        }
    }

    /// Issue #17: these lines trapped (exit 132, SIGILL) in --check-config, at start-up and on SIGHUP (which
    /// reads the files through the same loader; see ``IntegerOverflowReloadTests``).
    @Test func overflowingIntegerLinesExitTwoWithFileLine() throws {
        for value in ["--9223372036854775808", "-0x-8000000000000000"] {
            try withFiles(["gm.conf": "[global]\npriority1 \(value)\n[eth0]\n", "ports.d/eth1.conf": "delayAsymmetry \(value)\n"])
            {
                dir in
                for arguments in [["--check-config"], []] {
                    let result = try meridiand(["-f", dir.appendingPathComponent("gm.conf").path] + arguments)
                    #expect(result.status == 2, "\(value) \(arguments)")
                    #expect(
                        result.stderr.contains("gm.conf:2: \(value) is a bad value for option priority1: expected an integer"))
                    #expect(
                        result.stderr.contains(
                            "eth1.conf:1: \(value) is a bad value for option delayAsymmetry: expected an integer"))
                }
            }
        }
    }

    @Test func aDuplicatePortBetweenFileAndPortsDExitsTwo() throws {
        try withFiles(["gm.conf": "[global]\n[eth0]\n", "ports.d/eth0.conf": "masterOnly 1\n"]) { dir in
            let result = try meridiand(["-f", dir.appendingPathComponent("gm.conf").path, "--check-config"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("ports.d/eth0.conf: port eth0 is configured twice (first at \(dir.path)/gm.conf:2)"))
        }
    }

    /// Issue 13: combinations that cannot be right stop start-up with exit 2 and say why, before any port opens.
    @Test func clockCombinationsThatCannotBeRightExitTwo() throws {
        try withFiles([
            "phc-mode.conf": "[global]\nclock_device system\nvirtual_clock_mode phc\n[eth0]\n",
            "pps-out.conf":
                "[global]\nclock_device virtual\ntime_stamping software\nphc_pps_out_channel 0\nhttp_address none\n[meridian-rack-none0]\n",
        ]) { dir in
            let mode = try meridiand(["-f", dir.appendingPathComponent("phc-mode.conf").path, "--check-config"])
            #expect(mode.status == 2)
            #expect(mode.stderr.contains("phc-mode.conf:2:") && mode.stderr.contains("virtual_clock_mode phc"), "\(mode.stderr)")
            let pps = try meridiand(["-f", dir.appendingPathComponent("pps-out.conf").path])
            #expect(pps.status == 2)
            #expect(pps.stderr.contains("phc_pps_out_channel 0 needs a PTP hardware clock"), "\(pps.stderr)")
        }
    }

    /// Issue 13: ptp4l's `-S` means software time stamps with CLOCK_REALTIME as the PTP clock, steered by the
    /// servo unless free_running (ptp4l's clock.c: no PHC, so CLOCK_REALTIME through clockadj). The choice is
    /// checked in what `--check-config` prints; no test runs a daemon that would steer the host's clock.
    @Test func dashSMakesTheSystemClockThePTPClockAsPtp4lDoes() throws {
        try withFiles([
            "plain.conf": "[global]\n[eth0]\n",
            "free.conf": "[global]\nfree_running 1\n[eth0]\n",
            "virtual.conf": "[global]\nclock_device virtual\n[eth0]\n",
            "system-hw.conf": "[global]\nclock_device system\n[eth0]\n",
            "follow.conf": "[global]\nclock_device /dev/ptp3\nsystem_clock_follower realtime\n[eth0]\n",
        ]) { dir in
            func clock(_ file: String, _ flags: [String]) throws -> String {
                let result = try meridiand(["-f", dir.appendingPathComponent(file).path, "--check-config"] + flags)
                #expect(result.status == 0, "\(result.stderr)")
                return result.stdout.split(separator: "\n").first { $0.hasPrefix("# disciplined clock: ") }.map(String.init) ?? ""
            }
            let steered = try clock("plain.conf", ["-S"])
            let free = try clock("free.conf", ["-S"])
            let hardware = try clock("plain.conf", ["-H"])
            let byDefault = try clock("plain.conf", [])
            let virtual = try clock("virtual.conf", ["-S"])
            let following = try clock("follow.conf", ["-H"])
            #expect(
                steered
                    == "# disciplined clock: CLOCK_REALTIME, steered (software time stamps with clock_device auto, as ptp4l -S)")
            #expect(free.contains("CLOCK_REALTIME, read only"), "\(free)")
            #expect(hardware.contains("the first port's PHC") && byDefault == hardware, "\(hardware) / \(byDefault)")
            #expect(virtual.contains("virtual clock over CLOCK_REALTIME (the system clock is never touched)"), "\(virtual)")
            #expect(
                following == "# disciplined clock: the PHC /dev/ptp3; CLOCK_REALTIME follows it (system_clock_follower realtime)")
            // Hardware stamps (the default) are PHC readings: the system clock cannot take them (file:line, exit 2).
            let systemHardware = try meridiand(["-f", dir.appendingPathComponent("system-hw.conf").path, "--check-config"])
            #expect(systemHardware.status == 2)
            #expect(
                systemHardware.stderr.contains("system-hw.conf:2:")
                    && systemHardware.stderr.contains("clock_device system takes software time stamps"),
                "\(systemHardware.stderr)")
        }
    }

    /// Issue 13: one-step as ptp4l 3.1 settles it (config.c `config_harmonize_onestep`): with software stamps it
    /// is refused at the twoStepFlag line ("one step is only possible with hardware time stamping", also with
    /// -S); `time_stamping onestep`, or hardware with twoStepFlag 0, asks the NIC for HWTSTAMP_TX_ONESTEP_SYNC
    /// and `p2p1step` for HWTSTAMP_TX_ONESTEP_P2P, which `--check-config` says; legacy stays refused, and so
    /// does one-step on a transparent clock (it forwards Sync two-step).
    @Test func oneStepAsPtp4lSettlesIt() throws {
        try withFiles([
            "software.conf": "[global]\ntime_stamping software\ntwoStepFlag 0\n[eth0]\n",
            "dash-s.conf": "[global]\ntwoStepFlag 0\n[eth0]\n",
            "onestep.conf": "[global]\ntime_stamping onestep\n[eth0]\n",
            "upgrade.conf": "[global]\ntime_stamping hardware\ntwoStepFlag 0\n[eth0]\n",
            "p2p1step.conf": "[global]\ntime_stamping p2p1step\n[eth0]\ndelay_mechanism P2P\n",
            "legacy.conf": "[global]\ntime_stamping legacy\n[eth0]\n",
            "tc.conf": "[global]\nclock_type E2E_TC\ntime_stamping onestep\n[eth0]\n[eth1]\n",
            "twostep.conf": "[global]\ntime_stamping hardware\n[eth0]\n",
        ]) { dir in
            func check(_ name: String, _ extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
                let run = try meridiand(["-f", dir.appendingPathComponent(name).path, "--check-config"] + extra)
                return (run.status, run.stdout, run.stderr)
            }
            let software = try check("software.conf")
            #expect(software.status == 2)
            #expect(
                software.stderr.contains("software.conf:3: option twoStepFlag 0")
                    && software.stderr.contains("one step is only possible with hardware time stamping"), "\(software.stderr)")
            let dashS = try check("dash-s.conf", ["-S"])
            #expect(dashS.status == 2)
            #expect(dashS.stderr.contains("dash-s.conf:2: option twoStepFlag 0"), "\(dashS.stderr)")
            for name in ["onestep.conf", "upgrade.conf"] {
                let run = try check(name)
                #expect(run.status == 0, "\(name): \(run.stderr)")
                #expect(
                    run.stdout.contains(
                        "# transmit: one-step Sync (time_stamping onestep: SIOCSHWTSTAMP tx_type HWTSTAMP_TX_ONESTEP_SYNC"),
                    "\(name): \(run.stdout)")
            }
            let p2p = try check("p2p1step.conf")
            #expect(p2p.status == 0, "\(p2p.stderr)")
            #expect(
                p2p.stdout.contains("# transmit: one-step Sync and Pdelay_Resp") && p2p.stdout.contains("HWTSTAMP_TX_ONESTEP_P2P")
            )
            let twoStep = try check("twostep.conf")
            #expect(twoStep.status == 0 && !twoStep.stdout.contains("# transmit:"), "\(twoStep.stdout)")
            let legacy = try check("legacy.conf")
            #expect(legacy.status == 2)
            #expect(legacy.stderr.contains("legacy.conf:2: option time_stamping legacy"), "\(legacy.stderr)")
            let tc = try check("tc.conf")
            #expect(tc.status == 2)
            #expect(
                tc.stderr.contains("tc.conf:3:")
                    && tc.stderr.contains("on a transparent clock: Meridian's transparent clock forwards Sync two-step"),
                "\(tc.stderr)")
        }
    }

    /// Issue 13: ports on two (emulated) PHCs without boundary_clock_jbod stop start-up with exit 2 naming the
    /// ports and their PHCs, before any port opens; a port's own oscillator keys where no own PHC can use them
    /// are a file:line error.
    @Test func portsOnTwoPHCsWithoutJBODExitTwoNamingPortsAndPHCs() throws {
        let base =
            "[global]\nclock_device virtual\nvirtual_clock_mode phc\ntime_stamping software\nhttp_address none\n"
        try withFiles([
            "two.conf": base + "[meridian-jbod-a0]\n[meridian-jbod-b0]\nphc_index 1\n",
            "keys.conf": base + "[meridian-jbod-a0]\n[meridian-jbod-b0]\nphc_index 1\nvirtual_clock_freq_ppm -20\n",
            "unnamed.conf":
                "[global]\nclock_device /dev/ptp_hyperv\nboundary_clock_jbod 1\nhttp_address none\n[meridian-jbod-c0]\nphc_index 1\n",
        ]) { dir in
            // jbod must tell the disciplined PHC from the ports': a clock_device with no index is refused.
            let unnamed = try meridiand(["-f", dir.appendingPathComponent("unnamed.conf").path])
            #expect(unnamed.status == 2)
            #expect(unnamed.stderr.contains("clock_device /dev/ptp_hyperv names no PHC index"), "\(unnamed.stderr)")
            let two = try meridiand(["-f", dir.appendingPathComponent("two.conf").path])
            #expect(two.status == 2)
            #expect(
                two.stderr.contains(
                    "meridian-jbod-a0 on emulated /dev/ptp0, meridian-jbod-b0 on emulated /dev/ptp1")
                    && two.stderr.contains("boundary_clock_jbod 1"), "\(two.stderr)")
            let keys = try meridiand(["-f", dir.appendingPathComponent("keys.conf").path, "--check-config"])
            #expect(keys.status == 2)
            #expect(
                keys.stderr.contains("keys.conf:9:") && keys.stderr.contains("option virtual_clock_freq_ppm")
                    && keys.stderr.contains("on port meridian-jbod-b0"),
                "\(keys.stderr)")
        }
    }

    @Test func aMissingPortsDirExitsTwoAtTheLineThatNamesIt() throws {
        try withFiles(["gm.conf": "[global]\nports_dir /nonexistent/meridian-ports.d\n[eth0]\n"]) { dir in
            let result = try meridiand(["-f", dir.appendingPathComponent("gm.conf").path, "--check-config"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("gm.conf:2: ports_dir /nonexistent/meridian-ports.d is not a directory"))
        }
    }

    @Test func aMissingMainFileAndConflictingFlagsExitTwo() throws {
        let missing = try meridiand(["-f", "/nonexistent/meridian.conf", "--check-config"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/meridian.conf: cannot read: No such file or directory"))
        let flags = try meridiand(["-2", "-6", "-i", "eth0"])
        #expect(flags.status == 2)
        #expect(flags.stderr.contains("choose one of -2, -4 and -6"))
        let unknown = try meridiand(["--frobnicate"])
        #expect(unknown.status == 2)
    }
}
