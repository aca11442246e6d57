import MeridianLab
import Testing

@Suite("Lab commands")
struct LabCommandTests {
    @Test("a missing tool fails with the package to install; a failing one with its output")
    func failures() {
        #expect(
            throws: LabCommand.Failure(
                "'meridian-no-such-tool' not found in PATH (install the Debian package meridian-no-such-tool)")
        ) {
            try LabCommand.run("meridian-no-such-tool", [])
        }
        do {
            try LabCommand.run("ip", ["link", "show", "dev", "meridian-none0"])
            Issue.record("ip accepted a missing device")
        } catch {
            #expect(error.description.contains("exited with"))
            #expect(error.description.contains("meridian-none0"))
        }
        #expect((try? LabCommand.run("ip", ["-V"]))?.contains("iproute2") == true)
    }
}
