import Foundation

/// A Meridian grandmaster disciplined by a reference on side b, and a ptp4l slave on side a that never touches a
/// clock (`free_running 1`): the setup of the grandmaster tests, whatever the reference.
extension InteropLab {
    /// meridiand's management socket (read-write).
    var grandmasterSocket: String { file("m.sock").path }
    /// The ptp4l slave's management socket, for pmc.
    var slaveSocket: String { file("sl.sock").path }

    /// Starts meridiand on a virtual clock 0.3 s and 30 ppm off (`gm.log`) with `reference` (config lines), and
    /// the ptp4l slave (`slave.log`). With `subscribe`, `meridianctl --json events` listens to meridiand's
    /// notifications from the start (`events.log`).
    func startGrandmasterAndSlave(reference: String, subscribe: Bool = false) throws {
        let ptp4l = try InteropLab.tool("ptp4l")
        let meridiand = try InteropLab.meridiand()
        let gm = try write(
            "gm.conf",
            """
            [global]
            clock_device virtual
            virtual_clock_offset 0.3
            virtual_clock_freq_ppm 30
            time_stamping software
            \(reference)
            priority1 100
            logSyncInterval -4
            verbose 1
            use_syslog 0
            uds_address \(grandmasterSocket)
            uds_ro_address \(file("m-ro.sock").path)
            [\(lab.b.interface)]
            """)
        let slave = try write("slave.cfg", "[global]\nfree_running 1\nslaveOnly 1\nuds_address \(slaveSocket)\n")
        try start(in: lab.b.namespace, meridiand, ["-f", gm], log: "gm.log")
        if subscribe {
            guard let meridianctl = InteropLab.binary("meridianctl") else {
                throw SlaveEventMonitor.MonitorError("meridianctl is not built")
            }
            guard wait(seconds: 10, until: { FileManager.default.fileExists(atPath: grandmasterSocket) }) else {
                throw SlaveEventMonitor.MonitorError("meridiand opened no management socket:\n\(log("gm.log").suffix(2000))")
            }
            try start(in: lab.b.namespace, meridianctl, ["-u", "-s", grandmasterSocket, "--json", "events"], log: "events.log")
        }
        try start(in: lab.a.namespace, ptp4l, ["-S", "-i", lab.a.interface, "-f", slave, "-m"], log: "slave.log")
    }

    /// What the slave knows of its grandmaster: pmc's PARENT_DATA_SET, TIME_PROPERTIES_DATA_SET and CURRENT_DATA_SET.
    func slaveView() throws -> String {
        run(
            in: lab.a.namespace,
            [
                try InteropLab.tool("pmc"), "-u", "-b", "0", "-s", slaveSocket,
                "GET PARENT_DATA_SET", "GET TIME_PROPERTIES_DATA_SET", "GET CURRENT_DATA_SET",
            ])
    }

    /// Writes `gm.conf`: a free-running Meridian grandmaster (virtual clock, software stamps, priority1 100, 16 Sync/s
    /// and 4 Announce/s), logging to its standard output, with its management sockets `m.sock` and `m-ro.sock`, the
    /// `global` lines, and one port on side b. Returns the file's path.
    func freeRunningGrandmasterConfig(_ global: String) throws -> String {
        try write(
            "gm.conf",
            """
            [global]
            clock_device virtual
            free_running 1
            time_stamping software
            priority1 100
            logSyncInterval -4
            logAnnounceInterval -2
            verbose 1
            use_syslog 0
            \(global)
            uds_address \(grandmasterSocket)
            uds_ro_address \(file("m-ro.sock").path)
            [\(lab.b.interface)]
            """)
    }
}
