/* CLinuxShims: see the header for what lives here and why. */
#define _GNU_SOURCE
#include "CLinuxShims.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/capability.h>
#include <linux/errqueue.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

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

/* ---- cmsg ---- */

size_t CLinuxShims_CMSG_SPACE(size_t length) { return CMSG_SPACE(length); }
size_t CLinuxShims_CMSG_LEN(size_t length) { return CMSG_LEN(length); }

int CLinuxShims_cmsg_append(void *control, size_t capacity, size_t *used,
                            int level, int type, const void *data, size_t length)
{
    if (*used + CMSG_SPACE(length) > capacity) {
        return -1;
    }
    struct cmsghdr *cm = (struct cmsghdr *)((char *)control + *used);
    memset(cm, 0, CMSG_SPACE(length));
    cm->cmsg_len = CMSG_LEN(length);
    cm->cmsg_level = level;
    cm->cmsg_type = type;
    memcpy(CMSG_DATA(cm), data, length);
    *used += CMSG_SPACE(length);
    return 0;
}

static int is_extended_error(const struct cmsghdr *cm)
{
    return (cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
           (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR) ||
           (cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_TX_TIMESTAMP);
}

void CLinuxShims_parse_control(struct msghdr *msg, CLinuxShims_ControlInfo *info)
{
    memset(info, 0, sizeof(*info));
    info->control_truncated = (msg->msg_flags & MSG_CTRUNC) != 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_TIMESTAMPING &&
            cm->cmsg_len >= CMSG_LEN(sizeof(struct scm_timestamping))) {
            struct scm_timestamping ts;
            memcpy(&ts, CMSG_DATA(cm), sizeof(ts)); /* CMSG_DATA need not be aligned for the struct */
            info->has_timestamping = 1;
            info->timestamping[0] = ts.ts[0];
            info->timestamping[1] = ts.ts[1];
            info->timestamping[2] = ts.ts[2];
        } else if (is_extended_error(cm) && cm->cmsg_len >= CMSG_LEN(sizeof(struct sock_extended_err))) {
            struct sock_extended_err ee;
            memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
            info->has_extended_error = 1;
            info->ee_errno = ee.ee_errno;
            info->ee_origin = ee.ee_origin;
            info->ee_type = ee.ee_type;
            info->ee_code = ee.ee_code;
            info->ee_info = ee.ee_info;
            info->ee_data = ee.ee_data;
        }
    }
}

ssize_t CLinuxShims_recv(int fd, void *buffer, size_t length, int flags,
                         struct sockaddr_storage *from, socklen_t *from_length,
                         CLinuxShims_ControlInfo *info)
{
    /* Room for scm_timestamping, sock_extended_err with its offender, and packet info. */
    union {
        char buf[512];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = buffer, .iov_len = length };
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    if (from != NULL) {
        msg.msg_name = from;
        msg.msg_namelen = sizeof(*from);
    }
    ssize_t n = recvmsg(fd, &msg, flags);
    if (n < 0) {
        return n;
    }
    if (from_length != NULL) {
        *from_length = msg.msg_namelen;
    }
    CLinuxShims_parse_control(&msg, info);
    return n;
}

ssize_t CLinuxShims_send(int fd, const void *buffer, size_t length,
                         const struct sockaddr *to, socklen_t to_length,
                         int override_tsflags, uint32_t tsflags)
{
    union {
        char buf[CMSG_SPACE(sizeof(uint32_t))];
        struct cmsghdr align;
    } control;
    struct iovec iov = { .iov_base = (void *)buffer, .iov_len = length };
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_name = (void *)to;
    msg.msg_namelen = to == NULL ? 0 : to_length;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (override_tsflags) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SO_TIMESTAMPING;
        cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
        memcpy(CMSG_DATA(cm), &tsflags, sizeof(tsflags));
    }
    return sendmsg(fd, &msg, 0);
}

/* ---- Sockets ---- */

int CLinuxShims_ipv4_join(int fd, uint32_t group_network_order, int ifindex)
{
    struct ip_mreqn mreq;
    memset(&mreq, 0, sizeof(mreq));
    mreq.imr_multiaddr.s_addr = group_network_order;
    mreq.imr_ifindex = ifindex;
    return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq));
}

int CLinuxShims_ipv4_multicast_interface(int fd, int ifindex)
{
    struct ip_mreqn mreq;
    memset(&mreq, 0, sizeof(mreq));
    mreq.imr_ifindex = ifindex;
    return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq));
}

int CLinuxShims_ipv6_join(int fd, const uint8_t group[16], int ifindex)
{
    struct ipv6_mreq mreq;
    memset(&mreq, 0, sizeof(mreq));
    memcpy(&mreq.ipv6mr_multiaddr, group, 16);
    mreq.ipv6mr_interface = (unsigned int)ifindex;
    return setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof(mreq));
}

/* ldh [12]; jeq #0x88f7 → accept whole frame, else drop. The daemon then sees only PTP frames. */
static struct sock_filter ptp_filter[] = {
    { BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },
    { BPF_JMP | BPF_JEQ | BPF_K, 0, 1, ETH_P_1588 },
    { BPF_RET | BPF_K, 0, 0, 0x0000ffff },
    { BPF_RET | BPF_K, 0, 0, 0 },
};

int CLinuxShims_attach_ptp_filter(int fd)
{
    struct sock_fprog prog = {
        .len = sizeof(ptp_filter) / sizeof(ptp_filter[0]),
        .filter = ptp_filter,
    };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

int CLinuxShims_ptp_filter_length(void) { return (int)(sizeof(ptp_filter) / sizeof(ptp_filter[0])); }

void CLinuxShims_ptp_filter_instruction(int i, uint16_t *code, uint8_t *jt, uint8_t *jf, uint32_t *k)
{
    if (i < 0 || i >= CLinuxShims_ptp_filter_length()) {
        *code = 0; *jt = 0; *jf = 0; *k = 0;
        return;
    }
    *code = ptp_filter[i].code;
    *jt = ptp_filter[i].jt;
    *jf = ptp_filter[i].jf;
    *k = ptp_filter[i].k;
}

int CLinuxShims_packet_bind(int fd, int ifindex, uint16_t protocol_host_order)
{
    struct sockaddr_ll addr;
    memset(&addr, 0, sizeof(addr));
    addr.sll_family = AF_PACKET;
    addr.sll_ifindex = ifindex;
    addr.sll_protocol = htons(protocol_host_order);
    return bind(fd, (struct sockaddr *)&addr, sizeof(addr));
}

int CLinuxShims_packet_add_membership(int fd, int ifindex, const uint8_t mac[6])
{
    struct packet_mreq mreq;
    memset(&mreq, 0, sizeof(mreq));
    mreq.mr_ifindex = ifindex;
    mreq.mr_type = PACKET_MR_MULTICAST;
    mreq.mr_alen = 6;
    memcpy(mreq.mr_address, mac, 6);
    return setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof(mreq));
}

int CLinuxShims_packet_ignore_outgoing(int fd)
{
    int on = 1;
    return setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof(on));
}

/* ---- Interfaces ---- */

static int fill_ifreq(struct ifreq *ifr, const char *ifname)
{
    memset(ifr, 0, sizeof(*ifr));
    if (strlen(ifname) >= IFNAMSIZ) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strncpy(ifr->ifr_name, ifname, IFNAMSIZ - 1);
    return 0;
}

int CLinuxShims_interface_flags(int fd, const char *ifname, unsigned int *flags)
{
    struct ifreq ifr;
    if (fill_ifreq(&ifr, ifname) < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
        return -1;
    }
    *flags = (unsigned short)ifr.ifr_flags;
    return 0;
}

int CLinuxShims_interface_set_up(int fd, const char *ifname, int up)
{
    struct ifreq ifr;
    if (fill_ifreq(&ifr, ifname) < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
        return -1;
    }
    if (up) {
        ifr.ifr_flags |= IFF_UP;
    } else {
        ifr.ifr_flags &= ~IFF_UP;
    }
    return ioctl(fd, SIOCSIFFLAGS, &ifr);
}

int CLinuxShims_interface_mac(int fd, const char *ifname, uint8_t mac[6])
{
    struct ifreq ifr;
    if (fill_ifreq(&ifr, ifname) < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
        return -1;
    }
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    return 0;
}

int CLinuxShims_ethtool_ts_info(int fd, const char *ifname, struct ethtool_ts_info *info)
{
    struct ifreq ifr;
    if (fill_ifreq(&ifr, ifname) < 0) {
        return -1;
    }
    memset(info, 0, sizeof(*info));
    info->cmd = ETHTOOL_GET_TS_INFO;
    ifr.ifr_data = (char *)info;
    return ioctl(fd, SIOCETHTOOL, &ifr);
}

int CLinuxShims_hwtstamp_set(int fd, const char *ifname, struct hwtstamp_config *config)
{
    struct ifreq ifr;
    if (fill_ifreq(&ifr, ifname) < 0) {
        return -1;
    }
    ifr.ifr_data = (char *)config;
    return ioctl(fd, SIOCSHWTSTAMP, &ifr);
}

int CLinuxShims_hwtstamp_get(int fd, const char *ifname, struct hwtstamp_config *config)
{
    struct ifreq ifr;
    if (fill_ifreq(&ifr, ifname) < 0) {
        return -1;
    }
    memset(config, 0, sizeof(*config));
    ifr.ifr_data = (char *)config;
    return ioctl(fd, SIOCGHWTSTAMP, &ifr);
}

/* ---- rtnetlink ---- */

int CLinuxShims_netlink_link_socket(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_nl addr;
    memset(&addr, 0, sizeof(addr));
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = RTMGRP_LINK;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int CLinuxShims_netlink_request_links(int fd, uint32_t sequence)
{
    struct {
        struct nlmsghdr header;
        struct ifinfomsg info;
    } request;
    memset(&request, 0, sizeof(request));
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
    request.header.nlmsg_type = RTM_GETLINK;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.header.nlmsg_seq = sequence;
    request.info.ifi_family = AF_UNSPEC;
    return (int)send(fd, &request, request.header.nlmsg_len, 0);
}

int CLinuxShims_parse_link_messages(const void *buffer, size_t length,
                                    CLinuxShims_LinkEvent *events, int capacity)
{
    int count = 0;
    size_t remaining = length;
    for (const struct nlmsghdr *nh = buffer; NLMSG_OK(nh, remaining) && count < capacity;
         nh = NLMSG_NEXT(nh, remaining)) {
        if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
            break;
        }
        if (nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK) {
            continue;
        }
        if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
            continue;
        }
        const struct ifinfomsg *ifi = NLMSG_DATA(nh);
        CLinuxShims_LinkEvent *event = &events[count++];
        memset(event, 0, sizeof(*event));
        event->ifindex = ifi->ifi_index;
        event->flags = ifi->ifi_flags;
        event->deleted = nh->nlmsg_type == RTM_DELLINK;
        int attributes_length = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
        for (const struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, attributes_length);
             rta = RTA_NEXT(rta, attributes_length)) {
            if (rta->rta_type == IFLA_IFNAME) {
                size_t n = RTA_PAYLOAD(rta);
                if (n > sizeof(event->ifname) - 1) {
                    n = sizeof(event->ifname) - 1;
                }
                memcpy(event->ifname, RTA_DATA(rta), n);
                event->ifname[n] = 0;
            }
        }
    }
    return count;
}

int CLinuxShims_build_link_message(void *buffer, size_t capacity, int deleted,
                                   int ifindex, unsigned int flags, const char *ifname)
{
    size_t name_length = strlen(ifname) + 1;
    size_t total = NLMSG_LENGTH(sizeof(struct ifinfomsg)) + RTA_SPACE(name_length);
    if (NLMSG_ALIGN(total) > capacity || name_length > IFNAMSIZ) {
        return -1;
    }
    memset(buffer, 0, NLMSG_ALIGN(total));
    struct nlmsghdr *nh = buffer;
    nh->nlmsg_len = (uint32_t)total;
    nh->nlmsg_type = deleted ? RTM_DELLINK : RTM_NEWLINK;
    struct ifinfomsg *ifi = NLMSG_DATA(nh);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    ifi->ifi_flags = flags;
    struct rtattr *rta = IFLA_RTA(ifi);
    rta->rta_type = IFLA_IFNAME;
    rta->rta_len = (unsigned short)RTA_LENGTH(name_length);
    memcpy(RTA_DATA(rta), ifname, name_length);
    return (int)NLMSG_ALIGN(total);
}

/* ---- Clocks ---- */

long CLinuxShims_ppb_to_timex_frequency(double ppb)
{
    /* timex.freq is ppm << 16: 1 ppb = 65.536 units. Round to nearest. */
    double units = ppb * 65.536;
    return (long)(units < 0 ? units - 0.5 : units + 0.5);
}

double CLinuxShims_timex_frequency_to_ppb(long frequency) { return (double)frequency / 65.536; }

void CLinuxShims_fill_setoffset(struct timex *tx, int64_t offset_ns)
{
    memset(tx, 0, sizeof(*tx));
    tx->modes = ADJ_SETOFFSET | ADJ_NANO;
    int64_t seconds = offset_ns / 1000000000LL;
    int64_t nanoseconds = offset_ns % 1000000000LL;
    /* The kernel wants 0 <= tv_usec (nanoseconds here) < 1e9, with the sign carried by tv_sec. */
    if (nanoseconds < 0) {
        seconds -= 1;
        nanoseconds += 1000000000LL;
    }
    tx->time.tv_sec = seconds;
    tx->time.tv_usec = nanoseconds;
}

int CLinuxShims_clock_step(clockid_t clock, int64_t offset_ns)
{
    struct timex tx;
    CLinuxShims_fill_setoffset(&tx, offset_ns);
    return clock_adjtime(clock, &tx);
}

int CLinuxShims_clock_set_frequency(clockid_t clock, double ppb)
{
    struct timex tx;
    memset(&tx, 0, sizeof(tx));
    tx.modes = ADJ_FREQUENCY;
    tx.freq = CLinuxShims_ppb_to_timex_frequency(ppb);
    return clock_adjtime(clock, &tx);
}

int CLinuxShims_clock_get_frequency(clockid_t clock, double *ppb)
{
    struct timex tx;
    memset(&tx, 0, sizeof(tx));
    int result = clock_adjtime(clock, &tx);
    if (result < 0) {
        return result;
    }
    *ppb = CLinuxShims_timex_frequency_to_ppb(tx.freq);
    return result;
}

int CLinuxShims_has_capability(int capability)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &header, data) < 0) {
        return -1;
    }
    if (capability < 0 || capability >= 64) {
        errno = EINVAL;
        return -1;
    }
    return (data[capability / 32].effective >> (capability % 32)) & 1;
}

int CLinuxShims_drop_effective_capability(int capability)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (capability < 0 || capability >= 64) {
        errno = EINVAL;
        return -1;
    }
    if (syscall(SYS_capget, &header, data) < 0) {
        return -1;
    }
    data[capability / 32].effective &= ~(1u << (capability % 32));
    return (int)syscall(SYS_capset, &header, data);
}

/* ---- PTP clock ioctls ---- */

int CLinuxShims_ptp_get_caps(int fd, struct ptp_clock_caps *caps)
{
    memset(caps, 0, sizeof(*caps));
    int result = ioctl(fd, PTP_CLOCK_GETCAPS2, caps);
    if (result < 0 && errno == ENOTTY) {
        result = ioctl(fd, PTP_CLOCK_GETCAPS, caps);
    }
    return result;
}

int CLinuxShims_ptp_sys_offset_extended(int fd, struct ptp_sys_offset_extended *offset)
{
    return ioctl(fd, PTP_SYS_OFFSET_EXTENDED, offset);
}

int CLinuxShims_ptp_sys_offset(int fd, struct ptp_sys_offset *offset)
{
    return ioctl(fd, PTP_SYS_OFFSET, offset);
}

int CLinuxShims_ptp_extts_request(int fd, struct ptp_extts_request *request)
{
    int result = ioctl(fd, PTP_EXTTS_REQUEST2, request);
    if (result < 0 && errno == ENOTTY) {
        result = ioctl(fd, PTP_EXTTS_REQUEST, request);
    }
    return result;
}

int CLinuxShims_ptp_perout_request(int fd, struct ptp_perout_request *request)
{
    int result = ioctl(fd, PTP_PEROUT_REQUEST2, request);
    if (result < 0 && errno == ENOTTY) {
        result = ioctl(fd, PTP_PEROUT_REQUEST, request);
    }
    return result;
}

int CLinuxShims_ptp_pin_setfunc(int fd, struct ptp_pin_desc *pin)
{
    int result = ioctl(fd, PTP_PIN_SETFUNC2, pin);
    if (result < 0 && errno == ENOTTY) {
        result = ioctl(fd, PTP_PIN_SETFUNC, pin);
    }
    return result;
}

struct ptp_clock_time CLinuxShims_ptp_sys_offset_slot(const struct ptp_sys_offset *offset, int slot)
{
    struct ptp_clock_time zero = { 0 };
    if (slot < 0 || slot >= 2 * PTP_MAX_SAMPLES + 1) {
        return zero;
    }
    return offset->ts[slot];
}

void CLinuxShims_ptp_sys_offset_set_slot(struct ptp_sys_offset *offset, int slot, struct ptp_clock_time time)
{
    if (slot >= 0 && slot < 2 * PTP_MAX_SAMPLES + 1) {
        offset->ts[slot] = time;
    }
}

struct ptp_clock_time CLinuxShims_ptp_sys_offset_extended_slot(const struct ptp_sys_offset_extended *offset,
                                                              int sample, int j)
{
    struct ptp_clock_time zero = { 0 };
    if (sample < 0 || sample >= PTP_MAX_SAMPLES || j < 0 || j > 2) {
        return zero;
    }
    return offset->ts[sample][j];
}

void CLinuxShims_ptp_sys_offset_extended_set_slot(struct ptp_sys_offset_extended *offset, int sample, int j,
                                                  struct ptp_clock_time time)
{
    if (sample >= 0 && sample < PTP_MAX_SAMPLES && j >= 0 && j <= 2) {
        offset->ts[sample][j] = time;
    }
}

/* ---- PPS ioctls ---- */

int CLinuxShims_pps_get_cap(int fd, int *mode) { return ioctl(fd, PPS_GETCAP, mode); }
int CLinuxShims_pps_get_params(int fd, struct pps_kparams *params) { return ioctl(fd, PPS_GETPARAMS, params); }
int CLinuxShims_pps_set_params(int fd, struct pps_kparams *params) { return ioctl(fd, PPS_SETPARAMS, params); }
int CLinuxShims_pps_fetch(int fd, struct pps_fdata *data) { return ioctl(fd, PPS_FETCH, data); }

/* ---- Network namespaces ---- */

int CLinuxShims_setns(int fd, int nstype) { return setns(fd, nstype); }
