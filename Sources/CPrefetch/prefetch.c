// CPrefetch is header-only (static inline hints in include/CPrefetch.h); SwiftPM wants one source file.
#include "CPrefetch.h"
