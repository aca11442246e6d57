/* CLinuxShims: the exported constants. The functions are in shims_socket.c, shims_net.c and shims_clock.c. */
#define _GNU_SOURCE
#include "CLinuxShims.h"

#include <errno.h>
#include <sched.h>
#include <net/if.h>
#include <linux/capability.h>
#include <linux/errqueue.h>
#include <linux/if_ether.h>

const int CLinuxShims_SO_TIMESTAMPING = SO_TIMESTAMPING;
const int CLinuxShims_SO_BINDTODEVICE = SO_BINDTODEVICE;
const int CLinuxShims_MSG_ERRQUEUE = MSG_ERRQUEUE;
const int CLinuxShims_SO_EE_ORIGIN_TIMESTAMPING = SO_EE_ORIGIN_TIMESTAMPING;
const int CLinuxShims_ENOMSG = ENOMSG;
const unsigned int CLinuxShims_IFF_UP = IFF_UP;
const unsigned int CLinuxShims_IFF_RUNNING = IFF_RUNNING;
const unsigned int CLinuxShims_IFF_LOWER_UP = 0x10000; /* IFF_LOWER_UP, in linux/if.h only */
const int CLinuxShims_CAP_SYS_TIME = CAP_SYS_TIME;
const int CLinuxShims_CLONE_NEWNET = CLONE_NEWNET;
const int CLinuxShims_ETH_P_1588 = ETH_P_1588;
