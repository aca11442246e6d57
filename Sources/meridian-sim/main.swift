// meridian-sim: arrives with the engine issue.
#if canImport(Glibc)
import Glibc
#endif

let message = "meridian-sim: the zone simulator is not built yet (see issue 4); nothing to run\n"
_ = message.withCString { write(2, $0, strlen($0)) }
exit(1)
