// meridianctl: Meridian's management client (issue 7). pmc's grammar and flags over the Unix socket,
// pmc-shaped output, `--json`, and the `status` and `watch` verbs. Exit codes: 0 answered, 1 the
// daemon said no (error status), 2 usage, 3 no answer in time.
import Glibc

exit(MeridianCtl.run(Array(CommandLine.arguments.dropFirst())))
