/* CLinuxShims: the Linux C that Swift cannot import by itself (DESIGN.md, "Targets").
 *
 * - cmsg walking for SO_TIMESTAMPING receive and error-queue messages (scm_timestamping,
 *   sock_extended_err), in one function that fills a flat struct;
 * - the ioctls: SIOCSHWTSTAMP/SIOCGHWTSTAMP (hwtstamp_config), SIOCETHTOOL ETHTOOL_GET_TS_INFO
 *   (ethtool_ts_info), the PTP clock ioctls of <linux/ptp_clock.h> and the PPS ioctls of <linux/pps.h>;
 * - FD_TO_CLOCKID, clock_adjtime helpers, the PTP BPF filter, packet-socket membership, rtnetlink parsing.
 *
 * Every function returns what the syscall returned (-1 with errno set on failure) unless it says otherwise;
 * the Swift side reads errno immediately and retries EINTR. Every symbol carries the CLinuxShims_ prefix.
 * Kernel structures are used as the uapi headers define them, so Swift sees their exact layout.
 */
#ifndef CLINUXSHIMS_H
#define CLINUXSHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <linux/net_tstamp.h>
#include <linux/ethtool.h>
#include <linux/ptp_clock.h>
#include <linux/pps.h>

/* FD_TO_CLOCKID from the kernel's posix-timers: the dynamic clock id of an open /dev/ptpN. */
static inline clockid_t CLinuxShims_FD_TO_CLOCKID(int fd)
{
    return (clockid_t)((((unsigned int)~fd) << 3) | 3);
}

/* ---- Constants that are macros Swift cannot see (function-like or from headers kept out of Swift). ---- */
extern const int CLinuxShims_SO_TIMESTAMPING;        /* also the SCM_TIMESTAMPING cmsg type */
extern const int CLinuxShims_SO_BINDTODEVICE;
extern const int CLinuxShims_MSG_ERRQUEUE;
extern const int CLinuxShims_SO_EE_ORIGIN_TIMESTAMPING;
extern const int CLinuxShims_ENOMSG;
extern const unsigned int CLinuxShims_IFF_UP;
extern const unsigned int CLinuxShims_IFF_RUNNING;
extern const unsigned int CLinuxShims_IFF_LOWER_UP;
extern const int CLinuxShims_CAP_SYS_TIME;
extern const int CLinuxShims_CLONE_NEWNET;
extern const int CLinuxShims_ETH_P_1588;

/* ---- cmsg: the macros as functions (for building test buffers), and the walker. ---- */
size_t CLinuxShims_CMSG_SPACE(size_t length);
size_t CLinuxShims_CMSG_LEN(size_t length);

/* Appends one control message to `control` (capacity `capacity`, `*used` bytes already in it).
 * Returns 0, or -1 if it does not fit. Used by unit tests to build what the kernel would deliver. */
int CLinuxShims_cmsg_append(void *control, size_t capacity, size_t *used,
                            int level, int type, const void *data, size_t length);

/* What the control messages of one received message carried. Zeroed, then filled. */
typedef struct CLinuxShims_ControlInfo {
    /* SCM_TIMESTAMPING: ts[0] software, ts[1] legacy (unused), ts[2] raw hardware. */
    int has_timestamping;
    struct timespec timestamping[3];
    /* sock_extended_err from IP_RECVERR / IPV6_RECVERR / PACKET_TX_TIMESTAMP (error queue). */
    int has_extended_error;
    uint32_t ee_errno;
    uint8_t ee_origin;
    uint8_t ee_type;
    uint8_t ee_code;
    uint32_t ee_info;
    uint32_t ee_data; /* the SOF_TIMESTAMPING_OPT_ID counter of the stamped send */
    /* The message's control data did not fit (MSG_CTRUNC). */
    int control_truncated;
} CLinuxShims_ControlInfo;

/* Walks every cmsg of `msg` and fills `info` (which it zeroes first). */
void CLinuxShims_parse_control(struct msghdr *msg, CLinuxShims_ControlInfo *info);

/* recvmsg into `buffer` with an aligned control buffer of its own; fills `from` (may be NULL) and `info`.
 * Returns the byte count, or -1 with errno. `flags` as for recvmsg (MSG_ERRQUEUE, MSG_DONTWAIT). */
ssize_t CLinuxShims_recv(int fd, void *buffer, size_t length, int flags,
                         struct sockaddr_storage *from, socklen_t *from_length,
                         CLinuxShims_ControlInfo *info);

/* sendmsg of one datagram, never blocking (MSG_DONTWAIT: a full send buffer is EAGAIN). When `override_tsflags` is non-zero a SO_TIMESTAMPING cmsg carrying `tsflags`
 * replaces the socket's transmit-stamp request for this one message (0 asks for no stamp). */
ssize_t CLinuxShims_send(int fd, const void *buffer, size_t length,
                         const struct sockaddr *to, socklen_t to_length,
                         int override_tsflags, uint32_t tsflags);

/* One datagram of a batch send: its bytes, its destination, and the per-message stamp request as for
 * CLinuxShims_send. */
typedef struct CLinuxShims_OutgoingDatagram {
    const void *buffer;
    size_t length;
    const struct sockaddr *to;
    socklen_t to_length;
    int override_tsflags;
    uint32_t tsflags;
} CLinuxShims_OutgoingDatagram;

/* The most datagrams one CLinuxShims_send_batch call takes. */
#define CLINUXSHIMS_BATCH_MAX 64

/* sendmmsg of `count` datagrams (at most CLINUXSHIMS_BATCH_MAX), never blocking: how many the kernel took, in
 * order (a short count means the next one failed, and sending it again reports why), or -1 with errno when the
 * first one failed. */
int CLinuxShims_send_batch(int fd, const CLinuxShims_OutgoingDatagram *datagrams, unsigned count);

/* recvmmsg of up to `count` messages (at most CLINUXSHIMS_BATCH_MAX) into `buffers`, `count` slots of
 * `slot_length` bytes one after the other; each message's length goes to `lengths` and its control data to
 * `infos`. Returns how many were read, or -1 with errno (EAGAIN with MSG_DONTWAIT: none was waiting). */
int CLinuxShims_recv_batch(int fd, void *buffers, size_t slot_length, unsigned count, int flags,
                           size_t *lengths, CLinuxShims_ControlInfo *infos);

/* CLinuxShims_recv_batch that also gives each message's source address (`froms`, `from_lengths`: `count` each). */
int CLinuxShims_recv_batch_from(int fd, void *buffers, size_t slot_length, unsigned count, int flags,
                                size_t *lengths, CLinuxShims_ControlInfo *infos,
                                struct sockaddr_storage *froms, socklen_t *from_lengths);

/* ---- Sockets: options that need structures kept out of Swift. ---- */
int CLinuxShims_ipv4_join(int fd, uint32_t group_network_order, int ifindex);
int CLinuxShims_ipv4_multicast_interface(int fd, int ifindex);
int CLinuxShims_ipv6_join(int fd, const uint8_t group[16], int ifindex);
/* Attaches the classic BPF program that accepts only ethertype 0x88F7 frames. */
int CLinuxShims_attach_ptp_filter(int fd);
/* Length of that program in instructions, and instruction `i` (for unit tests). */
int CLinuxShims_ptp_filter_length(void);
void CLinuxShims_ptp_filter_instruction(int i, uint16_t *code, uint8_t *jt, uint8_t *jf, uint32_t *k);
int CLinuxShims_packet_bind(int fd, int ifindex, uint16_t protocol_host_order);
int CLinuxShims_packet_add_membership(int fd, int ifindex, const uint8_t mac[6]);
int CLinuxShims_packet_ignore_outgoing(int fd);

/* ---- Interfaces. ---- */
int CLinuxShims_interface_flags(int fd, const char *ifname, unsigned int *flags);
int CLinuxShims_interface_set_up(int fd, const char *ifname, int up);
int CLinuxShims_interface_mac(int fd, const char *ifname, uint8_t mac[6]);
int CLinuxShims_ethtool_ts_info(int fd, const char *ifname, struct ethtool_ts_info *info);
int CLinuxShims_hwtstamp_set(int fd, const char *ifname, struct hwtstamp_config *config);
int CLinuxShims_hwtstamp_get(int fd, const char *ifname, struct hwtstamp_config *config);

/* ---- rtnetlink link events. ---- */
/* A socket bound to RTMGRP_LINK in the calling thread's network namespace. */
int CLinuxShims_netlink_link_socket(void);
/* Asks for a dump of every link (RTM_GETLINK), so the current state arrives as events. */
int CLinuxShims_netlink_request_links(int fd, uint32_t sequence);

typedef struct CLinuxShims_LinkEvent {
    int ifindex;
    unsigned int flags;   /* IFF_* of ifinfomsg */
    int deleted;          /* RTM_DELLINK */
    char ifname[16];      /* IFLA_IFNAME when present, else empty */
} CLinuxShims_LinkEvent;

/* Parses the netlink messages in `buffer`; writes up to `capacity` link events, returns how many. */
int CLinuxShims_parse_link_messages(const void *buffer, size_t length,
                                    CLinuxShims_LinkEvent *events, int capacity);
/* Builds one RTM_NEWLINK/RTM_DELLINK message (unit tests); returns its length or -1. */
int CLinuxShims_build_link_message(void *buffer, size_t capacity, int deleted,
                                   int ifindex, unsigned int flags, const char *ifname);

/* ---- Clocks. ---- */
/* ADJ_FREQUENCY's unit: ppm with a 16-bit fraction. */
long CLinuxShims_ppb_to_timex_frequency(double ppb);
double CLinuxShims_timex_frequency_to_ppb(long frequency);
/* Fills `tx` for an ADJ_SETOFFSET|ADJ_NANO step of `offset_ns` (normalised: 0 <= tv_usec < 1e9). */
void CLinuxShims_fill_setoffset(struct timex *tx, int64_t offset_ns);
int CLinuxShims_clock_step(clockid_t clock, int64_t offset_ns);
int CLinuxShims_clock_set_frequency(clockid_t clock, double ppb);
int CLinuxShims_clock_get_frequency(clockid_t clock, double *ppb);
/* 1 if the process has the capability in its effective set, 0 if not, -1 with errno. */
int CLinuxShims_has_capability(int capability);
/* Removes a capability from the calling thread's effective set (capabilities are per thread on Linux), for
 * dropping privileges and for tests of the "capability missing" paths. 0 or -1 with errno. */
int CLinuxShims_drop_effective_capability(int capability);
/* The signal CLinuxShims_limit_capabilities sends to the other threads (a real-time one; main unblocks it). */
int CLinuxShims_capability_signal(void);
/* The highest capability number the running kernel knows (/proc/sys/kernel/cap_last_cap). */
int CLinuxShims_last_capability(void);
/* Limits every thread of the process to the capabilities in `keep` (bit n = capability n): the bounding set
 * loses the others (when CAP_SETPCAP allows), the ambient and inheritable sets are cleared, permitted and
 * effective become permitted & keep. The calling thread first, then each other thread through a signal
 * (shims_privilege.c says why). `threads`: how many threads were changed; `unconfirmed`: how many did not
 * confirm within the wait or failed. 0, or -1 with errno when the calling thread itself failed. */
int CLinuxShims_limit_capabilities(uint64_t keep, int *threads, int *unconfirmed);
/* The signal CLinuxShims_switch_user sends to the other threads: SIGPROF, the one libdispatch's worker threads
 * (Swift's cooperative pool, and every thread they create) leave unblocked besides the synchronous faults; its
 * handler stays installed after the first switch, so a late delivery does nothing. */
int CLinuxShims_switch_signal(void);
/* Switches every thread of the process to user `uid`, group `gid` and the supplementary `groups` (setgroups,
 * setresgid, setresuid: raw system calls per thread, as glibc's own setuid does, but reaching the main thread
 * that a Swift async main's dispatch_main parks after pthread_exit, which glibc's broadcast skips), keeping in each only the
 * capabilities in `keep` (PR_SET_KEEPCAPS across the change, then capset; the bounding set loses the rest while
 * CAP_SETPCAP still allows). The calling thread first, then each other thread through a signal. A thread already
 * running as `uid` (made by a thread switched before) only limits its capabilities. `threads`: how many threads
 * were changed; `unconfirmed`: how many did not confirm in time or failed. 0, or -1 with errno when the calling
 * thread itself failed (nothing else was tried then). */
int CLinuxShims_switch_user(unsigned int uid, unsigned int gid, const unsigned int *groups, int group_count,
                            uint64_t keep, int *threads, int *unconfirmed);
/* getresuid(2): the calling thread's real, effective and saved uids. 0 or -1 with errno. */
int CLinuxShims_getresuid(unsigned int *real, unsigned int *effective, unsigned int *saved);
/* setfsuid(2) for the calling thread only (the kernel's fsuid is per thread; glibc does not broadcast it): the
 * uid that files and sockets the thread makes belong to. Returns the previous fsuid. For tests that play another
 * user's server. */
int CLinuxShims_set_thread_fsuid(unsigned int uid);

/* ---- PTP clock ioctls (/dev/ptpN). The "2" requests are tried first, then the originals. ---- */
int CLinuxShims_ptp_get_caps(int fd, struct ptp_clock_caps *caps);
int CLinuxShims_ptp_sys_offset_extended(int fd, struct ptp_sys_offset_extended *offset);
int CLinuxShims_ptp_sys_offset(int fd, struct ptp_sys_offset *offset);
/* PTP_SYS_OFFSET_PRECISE: the device's cross-timestamp (PHC and CLOCK_REALTIME latched together). */
int CLinuxShims_ptp_sys_offset_precise(int fd, struct ptp_sys_offset_precise *offset);
int CLinuxShims_ptp_extts_request(int fd, struct ptp_extts_request *request);
int CLinuxShims_ptp_perout_request(int fd, struct ptp_perout_request *request);
int CLinuxShims_ptp_pin_setfunc(int fd, struct ptp_pin_desc *pin);
/* The time of sample `i` of a ptp_sys_offset: slots 2i (system), 2i+1 (PHC), 2i+2 (system). */
struct ptp_clock_time CLinuxShims_ptp_sys_offset_slot(const struct ptp_sys_offset *offset, int slot);
/* Slot `j` (0 system before, 1 PHC, 2 system after) of sample `i` of a ptp_sys_offset_extended. */
struct ptp_clock_time CLinuxShims_ptp_sys_offset_extended_slot(const struct ptp_sys_offset_extended *offset,
                                                              int sample, int j);
void CLinuxShims_ptp_sys_offset_extended_set_slot(struct ptp_sys_offset_extended *offset, int sample, int j,
                                                  struct ptp_clock_time time);
void CLinuxShims_ptp_sys_offset_set_slot(struct ptp_sys_offset *offset, int slot, struct ptp_clock_time time);

/* ---- PPS ioctls (/dev/ppsN). ---- */
int CLinuxShims_pps_get_cap(int fd, int *mode);
int CLinuxShims_pps_get_params(int fd, struct pps_kparams *params);
int CLinuxShims_pps_set_params(int fd, struct pps_kparams *params);
int CLinuxShims_pps_fetch(int fd, struct pps_fdata *data);

/* ---- Threads and network namespaces. ---- */
int CLinuxShims_setns(int fd, int nstype);
/* Pins the calling thread to one CPU (sched_setaffinity on the thread; CPU_SET is a macro). */
int CLinuxShims_pin_thread_to_cpu(int cpu);
/* Names a thread (pthread_setname_np, a GNU extension; the name is cut to the 15 bytes Linux keeps). */
int CLinuxShims_name_thread(pthread_t thread, const char *name);

#endif
