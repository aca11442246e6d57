/* CLinuxShims: dropping capabilities in every thread of the process (issue #17, least privilege).
 *
 * On Linux the capability sets (effective, permitted, inheritable, ambient, bounding) belong to each thread,
 * not to the process: capset(2) with pid 0 changes the calling thread only. By the time meridiand has opened
 * its sockets and devices it runs several threads (the clock loop, the management receivers, SwiftNIO's
 * event loop, the cooperative pool), so a drop in one thread would leave the others privileged. As glibc
 * does for setuid(2) and libcap's psx does for cap_set_proc, the calling thread changes its own sets, then
 * sends a signal to every other thread of the process (tgkill over /proc/self/task) whose handler makes the
 * same raw system calls; the scan repeats until a round finds no thread it has not signalled, so a thread
 * created meanwhile by a thread not yet changed is caught too. The handler makes only raw system calls and
 * keeps errno. A thread that blocks the signal (libdispatch's workers block every signal) does not answer
 * and is counted in `unconfirmed`: meridiand therefore calls this while it is still one thread
 * (MeridianDaemon/Privileges.swift), and the broadcast only covers a thread that exists already.
 *
 * Switching user (`user`) comes after start-up, when those threads exist: it uses SIGPROF, which libdispatch's
 * workers leave unblocked (their mask keeps the synchronous faults, SIGPIPE and SIGPROF open), and changes uid,
 * gids and capabilities in each thread with raw system calls. glibc's setuid(2) broadcast is not enough: it
 * changes no capabilities, and it skips a thread that is exiting, such as the main thread (the one
 * /proc/PID/status shows) of a Swift async main, parked inside pthread_exit in dispatch_main's sigsuspend, which
 * would stay root (meridiand's main is synchronous; a program embedding the daemon may not be). */
#define _GNU_SOURCE
#include "CLinuxShims.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

static uint64_t limit_keep;
static int limit_last;
static atomic_int limit_done;
static atomic_int limit_failed;

int CLinuxShims_capability_signal(void) { return SIGRTMIN + 6; }

int CLinuxShims_last_capability(void)
{
    /* /proc/sys/kernel/cap_last_cap names the highest capability this kernel knows. */
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return CAP_LAST_CAP;
    }
    char text[16] = { 0 };
    ssize_t count = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (count <= 0) {
        return CAP_LAST_CAP;
    }
    int value = atoi(text);
    return value > 0 && value < 64 ? value : CAP_LAST_CAP;
}

static int limit_calling_thread(uint64_t keep)
{
    int failed = 0;
    int last = limit_last; /* read before any handler runs: the handler makes only raw system calls */
    /* The bounding set first: dropping from it needs CAP_SETPCAP in the effective set, which capset removes. */
    for (int cap = 0; cap <= last; cap++) {
        if (!((keep >> cap) & 1) && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) {
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM) {
                failed = 1;
            }
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        failed = 1;
    }
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &header, data) != 0) {
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        uint32_t mask = (uint32_t)(keep >> (32 * i));
        data[i].permitted &= mask;
        data[i].effective = data[i].permitted;
        data[i].inheritable = 0;
    }
    if (syscall(SYS_capset, &header, data) != 0) {
        return -1;
    }
    return failed ? -1 : 0;
}

static void limit_handler(int signal)
{
    (void)signal;
    int saved = errno;
    if (limit_calling_thread(limit_keep) != 0) {
        atomic_fetch_add(&limit_failed, 1);
    }
    atomic_fetch_add(&limit_done, 1);
    errno = saved;
}

/* Runs `handler` in every other thread of the process through `signal` (tgkill over /proc/self/task), rescanning
 * until a round finds no thread not yet signalled, and waits (at most 1 s a round) for the handlers to count
 * themselves in `done`. `restore`: put the previous disposition back afterwards (the limit's real-time signal);
 * otherwise the handler stays installed (the switch's SIGPROF, whose default action would end the process if a
 * delivery came late). */
static int broadcast(int signal, void (*handler)(int), atomic_int *done, atomic_int *failed, int restore,
                     int *threads, int *unconfirmed)
{
    struct sigaction action, previous;
    memset(&action, 0, sizeof(action));
    action.sa_handler = handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(signal, &action, &previous) != 0) {
        return -1;
    }
    pid_t process = getpid();
    pid_t self = (pid_t)syscall(SYS_gettid);
    enum { MAX_THREADS = 4096 };
    pid_t *signalled = calloc(MAX_THREADS, sizeof(pid_t));
    if (signalled == NULL) {
        if (restore) {
            sigaction(signal, &previous, NULL);
        }
        errno = ENOMEM;
        return -1;
    }
    int count = 0;
    int sent = 0;
    for (int round = 0; round < 8; round++) {
        DIR *tasks = opendir("/proc/self/task");
        if (tasks == NULL) {
            break;
        }
        int fresh = 0;
        struct dirent *entry;
        while ((entry = readdir(tasks)) != NULL) {
            pid_t tid = (pid_t)atoi(entry->d_name);
            if (tid <= 0 || tid == self) {
                continue;
            }
            int known = 0;
            for (int i = 0; i < count; i++) {
                if (signalled[i] == tid) {
                    known = 1;
                    break;
                }
            }
            if (known || count >= MAX_THREADS) {
                continue;
            }
            signalled[count++] = tid;
            fresh++;
            /* A thread that ended since the scan (ESRCH) needs nothing. */
            if (syscall(SYS_tgkill, process, tid, signal) == 0) {
                sent++;
            }
        }
        closedir(tasks);
        /* Wait (at most 1 s per round) for the handlers of the threads signalled so far. */
        for (int wait = 0; wait < 1000 && atomic_load(done) < sent; wait++) {
            struct timespec pause = { .tv_sec = 0, .tv_nsec = 1000000 };
            nanosleep(&pause, NULL);
        }
        if (fresh == 0) {
            break;
        }
    }
    free(signalled);
    if (restore) {
        sigaction(signal, &previous, NULL);
    }
    *threads = 1 + sent;
    *unconfirmed = (sent - atomic_load(done)) + atomic_load(failed);
    return 0;
}

int CLinuxShims_limit_capabilities(uint64_t keep, int *threads, int *unconfirmed)
{
    *threads = 1;
    *unconfirmed = 0;
    limit_keep = keep;
    limit_last = CLinuxShims_last_capability();
    atomic_store(&limit_done, 0);
    atomic_store(&limit_failed, 0);
    if (limit_calling_thread(keep) != 0) {
        return -1;
    }
    return broadcast(CLinuxShims_capability_signal(), limit_handler, &limit_done, &limit_failed, 1, threads,
                     unconfirmed);
}

/* ---- Switching user (the `user` option) ---- */

static uid_t switch_uid;
static gid_t switch_gid;
static gid_t switch_groups[1024];
static int switch_group_count;
static atomic_int switch_active;
static atomic_int switch_done;
static atomic_int switch_failed;

int CLinuxShims_switch_signal(void) { return SIGPROF; }

static int switch_calling_thread(void)
{
    uint64_t keep = limit_keep;
    uid_t real = 0, effective = 0, saved = 0;
    if (syscall(SYS_getresuid, &real, &effective, &saved) != 0) {
        return -1;
    }
    if (real != switch_uid || effective != switch_uid || saved != switch_uid) {
        /* Keep the permitted set across the change of uid (capabilities(7), SECBIT_KEEP_CAPS; per thread); the
         * kernel still empties the effective set, which the limit below refills from what is kept. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
            return -1;
        }
        /* The bounding set while CAP_SETPCAP is still effective (uid 0). */
        for (int cap = 0; cap <= limit_last; cap++) {
            if (!((keep >> cap) & 1) && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) {
                prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
            }
        }
        if (syscall(SYS_setgroups, (size_t)switch_group_count, switch_groups) != 0
            || syscall(SYS_setresgid, switch_gid, switch_gid, switch_gid) != 0
            || syscall(SYS_setresuid, switch_uid, switch_uid, switch_uid) != 0) {
            prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
            return -1;
        }
    }
    int limited = limit_calling_thread(keep);
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    return limited;
}

static void switch_handler(int signal)
{
    (void)signal;
    int saved = errno;
    if (atomic_load(&switch_active)) {
        if (switch_calling_thread() != 0) {
            atomic_fetch_add(&switch_failed, 1);
        }
        atomic_fetch_add(&switch_done, 1);
    }
    errno = saved;
}

int CLinuxShims_switch_user(unsigned int uid, unsigned int gid, const unsigned int *groups, int group_count,
                            uint64_t keep, int *threads, int *unconfirmed)
{
    *threads = 1;
    *unconfirmed = 0;
    if (group_count < 0 || group_count > (int)(sizeof(switch_groups) / sizeof(switch_groups[0]))) {
        errno = EINVAL;
        return -1;
    }
    switch_uid = (uid_t)uid;
    switch_gid = (gid_t)gid;
    for (int i = 0; i < group_count; i++) {
        switch_groups[i] = (gid_t)groups[i];
    }
    switch_group_count = group_count;
    limit_keep = keep;
    limit_last = CLinuxShims_last_capability();
    atomic_store(&switch_done, 0);
    atomic_store(&switch_failed, 0);
    if (switch_calling_thread() != 0) {
        return -1;
    }
    atomic_store(&switch_active, 1);
    int status = broadcast(CLinuxShims_switch_signal(), switch_handler, &switch_done, &switch_failed, 0, threads,
                           unconfirmed);
    atomic_store(&switch_active, 0);
    return status;
}

int CLinuxShims_getresuid(unsigned int *real, unsigned int *effective, unsigned int *saved)
{
    uid_t r = 0, e = 0, s = 0;
    if (getresuid(&r, &e, &s) != 0) {
        return -1;
    }
    *real = (unsigned int)r;
    *effective = (unsigned int)e;
    *saved = (unsigned int)s;
    return 0;
}

int CLinuxShims_set_thread_fsuid(unsigned int uid) { return setfsuid((uid_t)uid); }
