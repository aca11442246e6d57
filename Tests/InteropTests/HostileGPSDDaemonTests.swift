import Foundation
import Testing

/// Issue #17, the whole daemon on `reference gpsd` against a hostile gpsd (scripts/hostile-gpsd.py: extreme and
/// malformed reports, binary garbage, a 200 KB line, a line trickled a byte at a time). Served by root, the
/// impostor is believed, and meridiand rejects its reports, counted and logged rate-limited, and keeps running
/// free (class 248: no sample ever reached the discipline). Served by another user (nobody), it is not even
/// believed: meridiand drops it unheard. (A gpsd that turns hostile after meridiand locked to it, on the same
/// connection: phase 7 of GrandmasterGPSDTests, through this script's relay mode.)
struct HostileGPSDDaemonTests {
    @Test func aHostileGpsdNeitherCrashesNorSteersMeridian() throws {
        let meridiand = try InteropLab.meridiand()
        let pmc = try InteropLab.tool("pmc")
        let setpriv = try InteropLab.tool("setpriv")
        let lab = try InteropLab()
        defer { lab.tearDown() }
        let script = InteropLab.repositoryRoot.appendingPathComponent("scripts/hostile-gpsd.py").path
        // The system python, which the user nobody can run (a per-user python such as pyenv's may not be).
        func run(_ name: String, port: Int, asUser uid: Int?) throws -> String {
            let server =
                (uid.map { [setpriv, "--reuid=\($0)", "--regid=\($0)", "--clear-groups"] } ?? []) + [
                    "/usr/bin/python3", script, String(port), "6",
                ]
            try lab.start(in: lab.lab.b.namespace, server[0], Array(server.dropFirst()), log: "\(name)-gpsd.log")
            usleep(300_000)
            let conf = try lab.meridianConfig(
                name, interface: lab.lab.b.interface, "reference gpsd\ngpsd_address 127.0.0.1:\(port)\nfree_running 1")
            let daemon = try lab.start(in: lab.lab.b.namespace, meridiand, ["-f", conf], log: "\(name).log")
            _ = lab.wait(seconds: 3) { !daemon.isRunning }
            #expect(daemon.isRunning, "meridiand died:\n\(lab.log("\(name).log").suffix(2000))")
            let answer = lab.run(
                in: lab.lab.b.namespace, [pmc, "-u", "-b", "0", "-s", lab.file("\(name).sock").path, "GET DEFAULT_DATA_SET"])
            #expect(InteropLab.field(answer, "clockClass") == "248", "\(answer)")
            #expect(lab.stop(daemon) == 0)
            return lab.log("\(name).log")
        }
        let believed = try run("believed", port: 29_471, asUser: nil)
        #expect(believed.contains("reference report rejected"), "\(believed.suffix(2000))")
        #expect(!believed.contains("not believed"))
        let impostor = try run("impostor", port: 29_472, asUser: 65534)
        #expect(impostor.contains("runs as nobody (uid 65534)") && impostor.contains("not believed"), "\(impostor.suffix(2000))")
        #expect(!impostor.contains("reference report rejected"))
    }
}
