import MeridianDaemon
import Testing

/// meridiand's command line read as getopt(3) reads ptp4l's (DaemonArguments); the binary's own exit codes and
/// messages are CommandLineTests'.
struct DaemonArgumentsTests {
    func run(_ arguments: [String]) throws -> DaemonOptions {
        guard case .run(let options) = try DaemonArguments.parse(arguments) else {
            Issue.record("\(arguments) did not ask to run")
            return DaemonOptions()
        }
        return options
    }

    func refusal(_ arguments: [String]) -> String? {
        do {
            _ = try DaemonArguments.parse(arguments)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aPtp4lCommandLineMeansWhatItMeansToPtp4l() throws {
        let options = try run(["-f", "gm.cfg", "-i", "eth0", "-i", "eth1", "-2", "-P", "-S", "-s", "-m", "-q", "-l", "7"])
        #expect(options.configFile == "gm.cfg")
        #expect(options.interfaces == ["eth0", "eth1"])
        #expect(
            options.overrides == [
                "network_transport": "L2", "delay_mechanism": "P2P", "time_stamping": "software", "slaveOnly": "1",
                "verbose": "1", "use_syslog": "0", "logging_level": "7",
            ])
        #expect(!options.checkConfig)
    }

    @Test func bundledFlagsAndJoinedValuesAsGetopt() throws {
        let options = try run(["-mqs", "-fgm.cfg", "-ieth0", "-l7", "-4E", "-Hieth1"])
        #expect(options.configFile == "gm.cfg")
        #expect(options.interfaces == ["eth0", "eth1"])
        #expect(
            options.overrides == [
                "verbose": "1", "use_syslog": "0", "slaveOnly": "1", "logging_level": "7", "network_transport": "UDPv4",
                "delay_mechanism": "E2E", "time_stamping": "hardware",
            ])
    }

    @Test func meridiansLongOptionsWithOrWithoutEquals() throws {
        let spaced = try run(["--clock", "/dev/ptp1", "--user", "meridian", "--check-config", "-f", "a.cfg"])
        let joined = try run(["--clock=/dev/ptp1", "--user=meridian", "--check-config", "-f", "a.cfg"])
        #expect(spaced == joined)
        #expect(spaced.overrides == ["clock_device": "/dev/ptp1", "user": "meridian"])
        #expect(spaced.checkConfig)
    }

    @Test func nothingGivenIsAllDefaults() throws {
        #expect(try run([]) == DaemonOptions())
        #expect(try run(["--"]) == DaemonOptions())
    }

    @Test func helpVersionAndTheOptionList() throws {
        #expect(try DaemonArguments.parse(["-h"]) == .help)
        #expect(try DaemonArguments.parse(["--help"]) == .help)
        #expect(try DaemonArguments.parse(["-mh"]) == .help)
        #expect(try DaemonArguments.parse(["-v"]) == .version)
        #expect(try DaemonArguments.parse(["--version"]) == .version)
        #expect(try DaemonArguments.parse(["--list-options"]) == .listOptions)
        #expect(DaemonArguments.usage.contains("-f FILE") && DaemonArguments.usage.contains("--check-config"))
    }

    @Test func theLastFileCountsAsInPtp4l() throws {
        #expect(try run(["-f", "a.cfg", "-f", "b.cfg"]).configFile == "b.cfg")
    }

    @Test func whatCannotBeRightIsRefusedWithTheReason() {
        #expect(refusal(["-x"]) == "unknown option -x")
        #expect(refusal(["-mx"]) == "unknown option -x")
        #expect(refusal(["--bogus"]) == "unknown option --bogus")
        #expect(refusal(["-f"]) == "option -f needs a value")
        #expect(refusal(["-m", "-i"]) == "option -i needs a value")
        #expect(refusal(["--clock"]) == "option --clock needs a value")
        #expect(refusal(["--check-config=yes"]) == "option --check-config takes no value")
        #expect(refusal(["-l", "info"]) == "option -l needs an integer, not 'info'")
        #expect(refusal(["gm.cfg"]) == "unexpected argument 'gm.cfg'")
        #expect(refusal(["-", "-m"]) == "unexpected argument '-'")
        #expect(refusal(["--", "-m"]) == "unexpected argument '-m'")
        #expect(refusal(["-2", "-6"]) == "choose one of -2, -4 and -6")
        #expect(refusal(["-EP"]) == "choose one of -E and -P")
        #expect(refusal(["-S", "-H"]) == "choose one of -S and -H")
    }
}
