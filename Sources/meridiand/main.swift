// meridiand: the daemon arrives with issue 5 (the daemon). Until then it says so and fails.
#if canImport(Glibc)
import Glibc
#endif

let message = "meridiand: the daemon is not built yet (see issue 5); nothing to run\n"
_ = message.withCString { write(2, $0, strlen($0)) }
exit(1)
