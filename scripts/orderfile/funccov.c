// funccov: which functions of a program run, in the order they first run, for the linker's symbol-ordering file
// (scripts/orderfile/orderfile.sh). It puts a breakpoint (int3) on the first byte of every function the symbol list
// names, runs the program under ptrace, and on each function's first hit puts the byte back, rewinds the thread
// to the function's start and writes the function's names (aliases too). Every thread is traced
// (PTRACE_O_TRACECLONE); other signals are passed on; the program is killed if funccov dies (PTRACE_O_EXITKILL).
// A development tool: it needs ptrace rights over the program (root, or the same user with ptrace_scope 0).
//
// With `-r SECONDS STEADY`, SECONDS after the start it arms again every function that has run, and writes to STEADY
// the ones that run after that, in the order they do: the steady state's functions (each wake-up's path), which
// orderfile.sh puts first so that they share as few pages (and TLB entries) as the code allows.
//
// usage: funccov OUT SYMBOLS [-r SECONDS STEADY] -- PROGRAM [ARG...]
//   SYMBOLS: lines "HEXOFFSET NAME", the program's function symbols as `nm --defined-only` prints them.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t rearm_due;
static void on_alarm(int signal) { (void)signal; rearm_due = 1; }

enum { ARMED, HIT, UNARMED, REARMED };
struct function {
    unsigned long offset;
    char *names;
    unsigned char original;
    int state;
};
static struct function *functions;
static size_t count;

static int by_offset(const void *a, const void *b) {
    unsigned long x = ((const struct function *)a)->offset, y = ((const struct function *)b)->offset;
    return x < y ? -1 : x > y;
}

static struct function *find(unsigned long offset) {
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (functions[mid].offset < offset) lo = mid + 1; else hi = mid;
    }
    return lo < count && functions[lo].offset == offset ? &functions[lo] : NULL;
}

static int read_symbols(const char *path) {
    FILE *file = fopen(path, "r");
    if (!file) { perror(path); return -1; }
    size_t capacity = 1 << 16;
    functions = malloc(capacity * sizeof *functions);
    char line[16384];
    while (functions && fgets(line, sizeof line, file)) {
        char *space = strchr(line, ' ');
        if (!space) continue;
        *space = 0;
        char *name = space + 1;
        name[strcspn(name, "\n")] = 0;
        unsigned long offset = strtoul(line, NULL, 16);
        if (!offset || !*name) continue;
        if (count == capacity) {
            capacity *= 2;
            struct function *grown = realloc(functions, capacity * sizeof *functions);
            if (!grown) break;
            functions = grown;
        }
        char *copy = strdup(name);
        if (!copy) break;
        functions[count++] = (struct function){offset, copy, 0, ARMED};
    }
    fclose(file);
    if (!functions) return -1;
    qsort(functions, count, sizeof *functions, by_offset);
    size_t kept = 0; // one entry per address; aliases joined by newlines
    for (size_t i = 0; i < count; i++) {
        if (kept && functions[kept - 1].offset == functions[i].offset) {
            char *joined;
            if (asprintf(&joined, "%s\n%s", functions[kept - 1].names, functions[i].names) < 0) return -1;
            functions[kept - 1].names = joined;
        } else functions[kept++] = functions[i];
    }
    count = kept;
    return 0;
}

// The address the kernel mapped the start of `exe` at in `pid` (a position-independent executable's base).
static unsigned long load_base(pid_t pid, const char *exe) {
    char path[64], line[PATH_MAX + 256];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *maps = fopen(path, "r");
    unsigned long base = 0;
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long start, offset;
        char file[PATH_MAX] = "";
        if (sscanf(line, "%lx-%*x %*s %lx %*s %*s %4095s", &start, &offset, file) == 3 && offset == 0 &&
            strcmp(file, exe) == 0) {
            base = start;
            break;
        }
    }
    if (maps) fclose(maps);
    return base;
}

int main(int argc, char **argv) {
    int program = 4;
    unsigned rearm_after = 0;
    FILE *steady = NULL;
    if (argc >= 8 && strcmp(argv[3], "-r") == 0) {
        rearm_after = (unsigned)strtoul(argv[4], NULL, 10);
        if (!(steady = fopen(argv[5], "w"))) { perror(argv[5]); return 2; }
        program = 7;
    }
    if (argc < program + 1 || strcmp(argv[program - 1], "--") != 0 || (steady && rearm_after == 0)) {
        fprintf(stderr, "usage: funccov OUT SYMBOLS [-r SECONDS STEADY] -- PROGRAM [ARG...]\n");
        return 2;
    }
    if (read_symbols(argv[2]) != 0) return 2;
    char exe[PATH_MAX];
    if (!realpath(argv[program], exe)) { perror(argv[program]); return 2; }
    FILE *out = fopen(argv[1], "w");
    if (!out) { perror(argv[1]); return 2; }

    pid_t child = fork();
    if (child < 0) { perror("fork"); return 1; }
    if (child == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        execv(exe, argv + program);
        perror("execv");
        _exit(127);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) { fprintf(stderr, "funccov: no exec stop\n"); return 1; }
    ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);
    unsigned long base = load_base(child, exe);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)child);
    int memory = open(path, O_RDWR);
    if (memory < 0 || base == 0) { fprintf(stderr, "funccov: cannot reach the program's memory\n"); return 1; }

    const unsigned char trap = 0xcc;
    size_t armed = 0;
    for (size_t i = 0; i < count; i++) {
        struct function *f = &functions[i];
        if (pread(memory, &f->original, 1, base + f->offset) != 1 || pwrite(memory, &trap, 1, base + f->offset) != 1)
            f->state = UNARMED;
        else armed++;
    }
    fprintf(stderr, "funccov: %zu functions armed\n", armed);

    size_t hits = 0, steady_hits = 0;
    int code = 0;
    if (steady) {
        struct sigaction action = {.sa_handler = on_alarm}; // no SA_RESTART: waitpid returns EINTR
        sigaction(SIGALRM, &action, NULL);
        alarm(rearm_after);
    }
    ptrace(PTRACE_CONT, child, 0, 0);
    for (;;) {
        pid_t pid = waitpid(-1, &status, __WALL);
        if (rearm_due) { // every function that has run gets its breakpoint back (threads run on meanwhile)
            rearm_due = 0;
            size_t again = 0;
            for (size_t i = 0; i < count; i++) {
                struct function *f = &functions[i];
                if (f->state == HIT && pwrite(memory, &trap, 1, base + f->offset) == 1) { f->state = REARMED; again++; }
            }
            fprintf(stderr, "funccov: %zu functions armed again after %u s\n", again, rearm_after);
        }
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (pid == child) { code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); break; }
            continue;
        }
        if (!WIFSTOPPED(status)) continue;
        int signal = WSTOPSIG(status), pass = signal;
        if (signal == SIGTRAP && (status >> 16) == 0) {
            struct user_regs_struct regs;
            ptrace(PTRACE_GETREGS, pid, 0, &regs);
            struct function *f = find(regs.rip - 1 - base);
            if (f) {
                if (f->state == ARMED || f->state == REARMED) { // restore the byte (every thread shares the text)
                    int again = f->state == REARMED;
                    if (pwrite(memory, &f->original, 1, base + f->offset) == 1) f->state = again ? UNARMED : HIT;
                    fprintf(again ? steady : out, "%s\n", f->names);
                    if (again) steady_hits++; else hits++;
                }
                regs.rip -= 1; // a thread that trapped before the restore runs the function from its start
                ptrace(PTRACE_SETREGS, pid, 0, &regs);
                pass = 0;
            }
        } else if (signal == SIGTRAP || signal == SIGSTOP) {
            pass = 0; // clone events, a new thread's first stop
        }
        ptrace(PTRACE_CONT, pid, 0, pass);
    }
    fclose(out);
    if (steady) {
        fclose(steady);
        fprintf(stderr, "funccov: %zu functions ran again after %u s\n", steady_hits, rearm_after);
    }
    fprintf(stderr, "funccov: %zu of %zu functions ran; the program exited %d\n", hits, armed, code);
    return code;
}
