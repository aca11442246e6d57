/* CLinuxShims: cmsg walking, sendmsg/recvmsg and socket options. See the header for what lives here and why. */
#define _GNU_SOURCE
#include "CLinuxShims.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

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

/* Room for one SO_TIMESTAMPING control message (a send's own timestamping flags). */
union CLinuxShims_TimestampingControl {
    char buf[CMSG_SPACE(sizeof(uint32_t))];
    struct cmsghdr align;
};

/* Fills `msg` (zeroed by the caller) to send `length` bytes of `buffer` to `to`, with `override_tsflags`
 * the send's own timestamping flags in `control`: what one sendmsg and each message of a sendmmsg carry. */
static void CLinuxShims_fill_send(struct msghdr *msg, struct iovec *iov, union CLinuxShims_TimestampingControl *control,
                                  const void *buffer, size_t length, const struct sockaddr *to, socklen_t to_length,
                                  int override_tsflags, uint32_t tsflags)
{
    iov->iov_base = (void *)buffer;
    iov->iov_len = length;
    msg->msg_name = (void *)to;
    msg->msg_namelen = to == NULL ? 0 : to_length;
    msg->msg_iov = iov;
    msg->msg_iovlen = 1;
    if (override_tsflags) {
        memset(control, 0, sizeof(*control));
        msg->msg_control = control->buf;
        msg->msg_controllen = sizeof(control->buf);
        struct cmsghdr *cm = CMSG_FIRSTHDR(msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SO_TIMESTAMPING;
        cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
        memcpy(CMSG_DATA(cm), &tsflags, sizeof(tsflags));
    }
}

ssize_t CLinuxShims_send(int fd, const void *buffer, size_t length,
                         const struct sockaddr *to, socklen_t to_length,
                         int override_tsflags, uint32_t tsflags)
{
    union CLinuxShims_TimestampingControl control;
    struct iovec iov;
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    CLinuxShims_fill_send(&msg, &iov, &control, buffer, length, to, to_length, override_tsflags, tsflags);
    return sendmsg(fd, &msg, MSG_DONTWAIT);
}

int CLinuxShims_send_batch(int fd, const CLinuxShims_OutgoingDatagram *datagrams, unsigned count)
{
    struct mmsghdr messages[CLINUXSHIMS_BATCH_MAX];
    struct iovec iovs[CLINUXSHIMS_BATCH_MAX];
    union CLinuxShims_TimestampingControl controls[CLINUXSHIMS_BATCH_MAX];
    if (count > CLINUXSHIMS_BATCH_MAX) {
        count = CLINUXSHIMS_BATCH_MAX;
    }
    memset(messages, 0, sizeof(messages[0]) * count);
    for (unsigned i = 0; i < count; i++) {
        const CLinuxShims_OutgoingDatagram *d = &datagrams[i];
        CLinuxShims_fill_send(&messages[i].msg_hdr, &iovs[i], &controls[i], d->buffer, d->length, d->to, d->to_length,
                              d->override_tsflags, d->tsflags);
    }
    return sendmmsg(fd, messages, count, MSG_DONTWAIT);
}

int CLinuxShims_recv_batch(int fd, void *buffers, size_t slot_length, unsigned count, int flags,
                           size_t *lengths, CLinuxShims_ControlInfo *infos)
{
    return CLinuxShims_recv_batch_from(fd, buffers, slot_length, count, flags, lengths, infos, NULL, NULL);
}

int CLinuxShims_recv_batch_from(int fd, void *buffers, size_t slot_length, unsigned count, int flags,
                                size_t *lengths, CLinuxShims_ControlInfo *infos,
                                struct sockaddr_storage *froms, socklen_t *from_lengths)
{
    /* Room for scm_timestamping, sock_extended_err with its offender, and packet info, as CLinuxShims_recv. */
    union control {
        char buf[512];
        struct cmsghdr align;
    };
    struct mmsghdr messages[CLINUXSHIMS_BATCH_MAX];
    struct iovec iovs[CLINUXSHIMS_BATCH_MAX];
    union control controls[CLINUXSHIMS_BATCH_MAX];
    if (count > CLINUXSHIMS_BATCH_MAX) {
        count = CLINUXSHIMS_BATCH_MAX;
    }
    memset(messages, 0, sizeof(messages[0]) * count);
    for (unsigned i = 0; i < count; i++) {
        iovs[i].iov_base = (char *)buffers + i * slot_length;
        iovs[i].iov_len = slot_length;
        messages[i].msg_hdr.msg_iov = &iovs[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_control = controls[i].buf;
        messages[i].msg_hdr.msg_controllen = sizeof(controls[i].buf);
        if (froms != NULL) {
            messages[i].msg_hdr.msg_name = &froms[i];
            messages[i].msg_hdr.msg_namelen = sizeof(froms[i]);
        }
    }
    int n = recvmmsg(fd, messages, count, flags, NULL);
    for (int i = 0; i < n; i++) {
        lengths[i] = messages[i].msg_len;
        if (from_lengths != NULL) {
            from_lengths[i] = messages[i].msg_hdr.msg_namelen;
        }
        CLinuxShims_parse_control(&messages[i].msg_hdr, &infos[i]);
    }
    return n;
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

/* Accept ethertype 0x88F7, untagged or behind one 802.1Q tag whose driver did not strip it; drop the rest,
 * so the daemon sees only PTP frames:
 *   0: ldh [12]            3: ldh [16]
 *   1: jeq #0x88f7 → 5     4: jeq #0x88f7 → 5, else 6
 *   2: jeq #0x8100 → 3, else 6
 *   5: ret #0xffff (whole frame)   6: ret #0 (drop) */
static struct sock_filter ptp_filter[] = {
    { BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },
    { BPF_JMP | BPF_JEQ | BPF_K, 3, 0, ETH_P_1588 },
    { BPF_JMP | BPF_JEQ | BPF_K, 0, 3, ETH_P_8021Q },
    { BPF_LD | BPF_H | BPF_ABS, 0, 0, 16 },
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

