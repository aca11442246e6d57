/* CLinuxShims: interface ioctls (flags, MAC, ethtool, hwtstamp) and rtnetlink. See the header for what lives here and why. */
#define _GNU_SOURCE
#include "CLinuxShims.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

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

