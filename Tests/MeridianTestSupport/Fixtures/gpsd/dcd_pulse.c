/*
 * dcd_pulse.so: an LD_PRELOAD shim for Meridian's tests that makes an unmodified gpsd run its own
 * PPS code on a pseudo-terminal, as if a receiver's 1 PPS drove the DCD line of an RS-232 port.
 *
 *   PULSE_TTY        the tty path gpsd is given; stat() on it reports a ttyS device (major 4), so gpsd
 *                    classifies it as RS-232 and starts its PPS thread instead of skipping ptys
 *   PULSE_OFFSET_NS  where the rising edge sits after each second of CLOCK_REALTIME (default 0)
 *   PULSE_WIDTH_MS   how long DCD stays high (default 20; keep offset + width below the NMEA delay)
 *
 * ioctl(TIOCMIWAIT) sleeps until the next edge, ioctl(TIOCMGET) reports DCD from the simulated wave,
 * ioctl(TIOCSETD) fails so gpsd does not try the kernel PPS line discipline (this kernel has none).
 * Build: cc -O2 -shared -fPIC -o dcd_pulse.so dcd_pulse.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>

#define NS_PER_S 1000000000LL

static long long setting(const char *name, long long fallback)
{
    const char *text = getenv(name);
    return text ? strtoll(text, NULL, 10) : fallback;
}

static long long realtime_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (long long)now.tv_sec * NS_PER_S + now.tv_nsec;
}

/* Position within the pulse train: ns since the most recent rising edge. */
static long long since_edge(long long t)
{
    long long phase = (t - setting("PULSE_OFFSET_NS", 0)) % NS_PER_S;
    return phase < 0 ? phase + NS_PER_S : phase;
}

static int line_high(long long t)
{
    return since_edge(t) < setting("PULSE_WIDTH_MS", 20) * 1000000LL;
}

int stat(const char *restrict path, struct stat *restrict info)
{
    static int (*next_stat)(const char *, struct stat *);
    if (!next_stat)
        next_stat = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "stat");
    int result = next_stat(path, info);
    const char *tty = getenv("PULSE_TTY");
    if (result == 0 && tty && strcmp(tty, path) == 0 && S_ISCHR(info->st_mode))
        info->st_rdev = makedev(4, 64);
    return result;
}

int ioctl(int fd, unsigned long request, ...)
{
    static int (*next_ioctl)(int, unsigned long, ...);
    va_list args;
    va_start(args, request);
    void *argument = va_arg(args, void *);
    va_end(args);
    if (!next_ioctl)
        next_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");

    if (request == TIOCSETD) {
        errno = EINVAL;
        return -1;
    }
    if (request == TIOCMIWAIT) {
        /* Sleep to the next transition (rising or falling) of the simulated DCD line. */
        long long now = realtime_ns();
        long long width = setting("PULSE_WIDTH_MS", 20) * 1000000LL;
        long long phase = since_edge(now);
        long long wait = phase < width ? width - phase : NS_PER_S - phase;
        long long target = now + wait + 1000;
        struct timespec deadline = { target / NS_PER_S, target % NS_PER_S };
        while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &deadline, NULL) == EINTR)
            ;
        return 0;
    }
    if (request == TIOCMGET && argument) {
        int result = next_ioctl(fd, request, argument);
        int *bits = (int *)argument;
        if (result != 0)
            *bits = 0;
        *bits = line_high(realtime_ns()) ? (*bits | TIOCM_CD) : (*bits & ~TIOCM_CD);
        return 0;
    }
    return next_ioctl(fd, request, argument);
}
