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
 * (MeridianDaemon/Privileges.swift), and the broadcast only covers a thread that exists already. */
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
    struct sigaction action, previous;
    memset(&action, 0, sizeof(action));
    action.sa_handler = limit_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    int signal = CLinuxShims_capability_signal();
    if (sigaction(signal, &action, &previous) != 0) {
        return -1;
    }
    pid_t process = getpid();
    pid_t self = (pid_t)syscall(SYS_gettid);
    enum { MAX_THREADS = 4096 };
    pid_t *signalled = calloc(MAX_THREADS, sizeof(pid_t));
    if (signalled == NULL) {
        sigaction(signal, &previous, NULL);
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
        for (int wait = 0; wait < 1000 && atomic_load(&limit_done) < sent; wait++) {
            struct timespec pause = { .tv_sec = 0, .tv_nsec = 1000000 };
            nanosleep(&pause, NULL);
        }
        if (fresh == 0) {
            break;
        }
    }
    free(signalled);
    sigaction(signal, &previous, NULL);
    *threads = 1 + sent;
    int done = atomic_load(&limit_done);
    *unconfirmed = (sent - done) + atomic_load(&limit_failed);
    return 0;
}

int CLinuxShims_set_thread_fsuid(unsigned int uid) { return setfsuid((uid_t)uid); }
