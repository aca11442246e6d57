// meridianctl: arrives with issue 7 (management).
#if canImport(Glibc)
import Glibc
#endif

let message = "meridianctl: the management client is not built yet (see issue 7); nothing to run\n"
_ = message.withCString { write(2, $0, strlen($0)) }
exit(1)
