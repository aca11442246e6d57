/* CLinuxShims: clock_adjtime, capabilities, PTP and PPS ioctls, namespaces. See the header for what lives here and why. */
#define _GNU_SOURCE
#include "CLinuxShims.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

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

int CLinuxShims_ptp_sys_offset_precise(int fd, struct ptp_sys_offset_precise *offset)
{
    memset(offset, 0, sizeof(*offset));
    return ioctl(fd, PTP_SYS_OFFSET_PRECISE, offset);
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

int CLinuxShims_pin_thread_to_cpu(int cpu)
{
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        errno = EINVAL;
        return -1;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set);
}

int CLinuxShims_name_thread(pthread_t thread, const char *name)
{
    char truncated[16];
    snprintf(truncated, sizeof(truncated), "%s", name);
    return pthread_setname_np(thread, truncated);
}
