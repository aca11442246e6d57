// meridianctl: Meridian's management client (issue 7). pmc's grammar and flags over the Unix socket
// or the network, pmc-shaped output, `--json`, and the `status` and `watch` verbs. Exit codes:
// 0 answered, 1 the daemon said no (error status), 2 usage, 3 no answer in time.
import Glibc

// A parent may hand us blocked signals (some process launchers do); `watch` must stop on SIGINT/SIGTERM.
var signals = sigset_t()
sigemptyset(&signals)
for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, signal) }
sigprocmask(SIG_UNBLOCK, &signals, nil)

exit(MeridianCtl.run(Array(CommandLine.arguments.dropFirst())))
