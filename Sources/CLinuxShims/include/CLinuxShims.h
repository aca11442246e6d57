/* CLinuxShims: the Linux C that Swift cannot import (cmsg macros, SO_TIMESTAMPING structures,
 * hwtstamp_config, ethtool_ts_info, FD_TO_CLOCKID, PTP and PPS ioctls). Filled in by the platform issue. */
#ifndef CLINUXSHIMS_H
#define CLINUXSHIMS_H
#include <time.h>

/* FD_TO_CLOCKID from the kernel's posix-timers: the dynamic clock id of an open /dev/ptpN. */
static inline clockid_t CLinuxShims_FD_TO_CLOCKID(int fd)
{
    return (clockid_t)((((unsigned int)~fd) << 3) | 3);
}
#endif
