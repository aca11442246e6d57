// meridiand: the Meridian daemon. Its command line (MeridianDaemon's DaemonArguments, ptp4l's options); everything
// else is in MeridianDaemon.
import Glibc
import MeridianDaemon

func emit(_ text: String, to fd: Int32) {
    guard !text.isEmpty else { return }
    _ = text.withCString { write(fd, $0, strlen($0)) }
}

let options: DaemonOptions
do {
    switch try DaemonArguments.parse(Array(CommandLine.arguments.dropFirst())) {
    case .help:
        emit(DaemonArguments.usage, to: 1)
        exit(0)
    case .version:
        emit(DaemonArguments.version + "\n", to: 1)
        exit(0)
    case .listOptions:
        emit(Meridiand.optionsDocument(), to: 1)
        exit(0)
    case .run(let requested):
        options = requested
    }
} catch {
    emit("meridiand: \(error)\nTry 'meridiand -h' for the options.\n", to: 2)
    exit(DaemonExit.usage.rawValue)
}
// A parent (a test runner, some supervisors) may start us with signals blocked; the daemon must still
// hear SIGTERM, SIGINT and SIGHUP to shut down cleanly and to reload.
var handled = sigset_t()
sigemptyset(&handled)
for signal in [SIGTERM, SIGINT, SIGHUP, Meridiand.capabilitySignal, Meridiand.switchSignal] {
    sigaddset(&handled, signal)
}
pthread_sigmask(SIG_UNBLOCK, &handled, nil)

if options.checkConfig {
    let (status, output, errors) = Meridiand.run(options)
    emit(output, to: 1)
    emit(errors, to: 2)
    exit(status.rawValue)
}
// Least privilege: limited here, while this is the only thread, so every thread made later inherits it.
Meridiand.limitPrivileges(options)
exit(Meridiand.serveWaiting(options).rawValue)
