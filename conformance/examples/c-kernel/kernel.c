/*
 * c-kernel: a small, honest Horizon IPC kernel in C, validated by the hipc
 * conformance suite through the out-of-process protocol hipc-kernel/1
 * (conformance/PROTOCOL.md).
 *
 *   hipc run --kernel-cmd ./c-kernel vectors/
 *
 * It implements a subset of kernel-semantics.md and declares exactly that:
 *   tls-buffer    SendSyncRequest / ReplyAndReceive on the TLS message buffer
 *   pid           PID substitution
 *   copy-handles  copy handles (pseudo-handles, handle 0, rollback on failure)
 *   pointer       X descriptors, receive-list modes 0 (none) and 2 (single buffer)
 * plus what every scenario needs: processes with one thread, memory regions,
 * events, sessions, FIFO queues, reply targets, wait lists, CloseHandle.
 *
 * Anything else is refused with an `error` answer naming what is unsupported
 * (user buffers, async, threads, map-alias with a size, receive-list modes 1 and
 * 3..15 when a pointer needs them, memory queries, interrupt events): vectors that
 * need those are skipped by the runner because the capability is not declared, and
 * should one still reach the kernel, the error shows up in the report.
 *
 * One request per line on stdin, one answer per line on stdout; stderr is free for
 * logs. Exits when stdin closes.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* ---- limits and constants ------------------------------------------------ */

#define MAX_PROCS 32
#define MAX_THREADS 32
#define MAX_OBJECTS 8192
#define MAX_SESSIONS 256
#define MAX_REGIONS 32
#define HANDLE_SLOTS 1024
#define MAX_REGION_SIZE 0x1000000ULL
#define TLS_BASE 0x7F00000000ULL
#define TLS_SIZE 0x100
#define PAGE 0x1000ULL

#define CURRENT_THREAD 0xFFFF8000u
#define CURRENT_PROCESS 0xFFFF8001u

#define R_SUCCESS 0x0u
#define R_OUT_OF_RESOURCE 0xCE01u
#define R_OUT_OF_HANDLES 0xD201u
#define R_INVALID_CURRENT_MEMORY 0xD401u
#define R_INVALID_HANDLE 0xE401u
#define R_INVALID_COMBINATION 0xE801u
#define R_TIMED_OUT 0xEA01u
#define R_OUT_OF_RANGE 0xEE01u
#define R_NOT_FOUND 0xF201u
#define R_SESSION_CLOSED 0xF601u
#define R_INVALID_STATE 0xFA01u
#define R_RECEIVE_LIST_BROKEN 0x20401u
#define R_MESSAGE_TOO_LARGE 0x20801u

/* Memory states, in the order of kernel::MemoryState; LINEAR marks FlagLinearMapped. */
static const struct {
    const char *name;
    int linear;
} STATES[] = {
    {"Free", 0},          {"Io", 0},           {"Static", 0},       {"Code", 1},
    {"CodeData", 1},      {"Normal", 1},       {"Shared", 1},       {"AliasCode", 1},
    {"AliasCodeData", 1}, {"Ipc", 1},          {"Stack", 1},        {"ThreadLocal", 1},
    {"Transfered", 1},    {"SharedTransfered", 1}, {"SharedCode", 1}, {"Inaccessible", 0},
    {"NonSecureIpc", 1},  {"NonDeviceIpc", 1}, {"Kernel", 0},       {"GeneratedCode", 1},
    {"CodeOut", 1},       {"Coverage", 0},     {"Insecure", 1},
};
#define N_STATES ((int)(sizeof STATES / sizeof STATES[0]))

enum perm { P_NONE, P_R, P_RW, P_RX };
static const char *PERMS[] = {"none", "r", "rw", "rx"};
static const char *ATTRS[] = {"locked", "ipc_locked", "device_shared", "uncached",
                              "permission_locked"};
#define A_UNCACHED 8

/* ---- state ------------------------------------------------------------------ */

struct region {
    uint64_t addr, size;
    int state, perm, attrs;
    uint8_t *data;
};

struct slot {
    int used;
    uint16_t linear;
    int obj;
};

struct process {
    int used;
    uint64_t pid;
    int capacity;
    uint16_t next_linear;
    struct slot slots[HANDLE_SLOTS];
    struct region regions[MAX_REGIONS];
    int nregions;
    int obj;
    int thread;
};

enum status { ST_IDLE, ST_PENDING, ST_COMPLETED };

struct thread {
    int used;
    int proc;
    uint64_t tls;
    int obj;
    int status;
    uint32_t result;
    int session;     /* the session of its pending request */
    int session_obj; /* the client session object the pending request holds */
};

enum kind { O_NONE, O_PROCESS, O_THREAD, O_EVENT, O_SERVER, O_CLIENT };

struct object {
    int kind;
    int refs;
    int session;
    int signaled;
};

struct session {
    int used;
    int closed;
    int queue[MAX_THREADS]; /* client threads, oldest first */
    int qlen;
    int current; /* the client thread being serviced, or -1 */
};

static struct process procs[MAX_PROCS];
static struct thread threads[MAX_THREADS];
static struct object objects[MAX_OBJECTS];
static struct session sessions[MAX_SESSIONS];
static int nobjects;
static uint64_t next_pid = 0x51;

/* Set when a request needs something this kernel does not implement: the
 * operation is then answered with an `error` instead of a result. */
static char unsupported[256];

static void refuse(const char *fmt, ...) {
    if (unsupported[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(unsupported, sizeof unsupported, fmt, ap);
    va_end(ap);
}

static void reset_all(void) {
    for (int p = 0; p < MAX_PROCS; p++)
        for (int r = 0; r < procs[p].nregions; r++) free(procs[p].regions[r].data);
    memset(procs, 0, sizeof procs);
    memset(threads, 0, sizeof threads);
    memset(objects, 0, sizeof objects);
    memset(sessions, 0, sizeof sessions);
    nobjects = 0;
    next_pid = 0x51;
}

static int new_object(int kind) {
    if (nobjects >= MAX_OBJECTS) return -1;
    int o = nobjects++;
    memset(&objects[o], 0, sizeof objects[o]);
    objects[o].kind = kind;
    return o;
}

/* ---- memory ------------------------------------------------------------------- */

static struct region *region_at(int p, uint64_t addr) {
    for (int r = 0; r < procs[p].nregions; r++) {
        struct region *g = &procs[p].regions[r];
        if (addr >= g->addr && addr - g->addr < g->size) return g;
    }
    return NULL;
}

enum need { N_ANY = 0, N_READ = 1, N_WRITE = 2, N_LINEAR = 4, N_CACHED = 8 };

/* Whether every byte of [addr, addr+len) is mapped and meets `need`. */
static int range_ok(int p, uint64_t addr, uint64_t len, int need) {
    if (addr + len < addr) return 0;
    uint64_t end = addr + len;
    while (addr < end) {
        struct region *g = region_at(p, addr);
        if (!g) return 0;
        if ((need & N_READ) && g->perm == P_NONE) return 0;
        if ((need & N_WRITE) && g->perm != P_RW) return 0;
        if ((need & N_LINEAR) && !STATES[g->state].linear) return 0;
        if ((need & N_CACHED) && (g->attrs & A_UNCACHED)) return 0;
        addr = g->addr + g->size;
    }
    return 1;
}

/* Kernel (debugger) access: mapped memory, permissions ignored. */
static int mem_read(int p, uint64_t addr, uint8_t *out, uint64_t len) {
    if (!range_ok(p, addr, len, N_ANY)) return 0;
    for (uint64_t i = 0; i < len; i++) {
        struct region *g = region_at(p, addr + i);
        out[i] = g->data[addr + i - g->addr];
    }
    return 1;
}

static int mem_write(int p, uint64_t addr, const uint8_t *in, uint64_t len) {
    if (!range_ok(p, addr, len, N_ANY)) return 0;
    for (uint64_t i = 0; i < len; i++) {
        struct region *g = region_at(p, addr + i);
        g->data[addr + i - g->addr] = in[i];
    }
    return 1;
}

/* ---- message buffers (TLS only) and layouts --------------------------------- */

struct buf {
    int proc;
    int thread;
    uint64_t addr, size;
};

static struct buf tls_of(int t) {
    struct buf b = {threads[t].proc, t, threads[t].tls, TLS_SIZE};
    return b;
}

static int read_words(struct buf b, int index, int count, uint32_t *out) {
    if (index < 0 || count < 0 || (uint64_t)(index + count) * 4 > b.size) return 0;
    uint8_t bytes[4 * 1024];
    if (!mem_read(b.proc, b.addr + 4 * (uint64_t)index, bytes, 4 * (uint64_t)count)) return 0;
    for (int i = 0; i < count; i++)
        out[i] = (uint32_t)bytes[4 * i] | (uint32_t)bytes[4 * i + 1] << 8 |
                 (uint32_t)bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24;
    return 1;
}

static int write_words(struct buf b, int index, int count, const uint32_t *in) {
    if (index < 0 || count < 0 || (uint64_t)(index + count) * 4 > b.size) return 0;
    uint8_t bytes[4 * 1024];
    for (int i = 0; i < count; i++)
        for (int k = 0; k < 4; k++) bytes[4 * i + k] = (uint8_t)(in[i] >> (8 * k));
    return mem_write(b.proc, b.addr + 4 * (uint64_t)index, bytes, 4 * (uint64_t)count);
}

static int write_word(struct buf b, int index, uint32_t w) { return write_words(b, index, 1, &w); }

/* kernel-semantics.md §2.9. */
struct layout {
    uint32_t w[3];
    int special, has_pid, ncopy, nmove, nx, na, nb, nw, raw, rl_count, rl_offset;
    int sd, ptr, ma, rawi, end, rli, rln;
    uint64_t size;
};

static int layout_of(struct buf b, struct layout *l) {
    memset(l, 0, sizeof *l);
    if (!read_words(b, 0, 3, l->w)) return 0;
    uint32_t w0 = l->w[0], w1 = l->w[1];
    l->nx = (w0 >> 16) & 0xF;
    l->na = (w0 >> 20) & 0xF;
    l->nb = (w0 >> 24) & 0xF;
    l->nw = (w0 >> 28) & 0xF;
    l->raw = w1 & 0x3FF;
    l->rl_count = (w1 >> 10) & 0xF;
    l->rl_offset = (w1 >> 20) & 0x7FF;
    l->special = (w1 >> 31) & 1;
    if (l->special) {
        l->has_pid = l->w[2] & 1;
        l->ncopy = (l->w[2] >> 1) & 0xF;
        l->nmove = (l->w[2] >> 5) & 0xF;
    }
    l->sd = 2 + l->special;
    l->ptr = l->sd + (l->has_pid ? 2 : 0) + l->ncopy + l->nmove;
    l->ma = l->ptr + 2 * l->nx;
    l->rawi = l->ma + 3 * (l->na + l->nb + l->nw);
    l->end = l->rawi + l->raw;
    l->rli = l->rl_offset ? l->rl_offset : l->end;
    l->rln = l->rl_count < 2 ? 0 : l->rl_count == 2 ? 1 : l->rl_count - 2;
    l->size = 4 * (uint64_t)l->rli + 8 * (uint64_t)l->rln;
    return 1;
}

static int offset_valid(const struct layout *l) { return l->rl_offset == 0 || l->rl_offset >= l->end; }

/* ---- handles ----------------------------------------------------------------- */

static int lookup(int p, uint32_t h) {
    if (h == 0 || (h & 0xC0000000u)) return -1;
    int index = (int)(h & 0x7FFF);
    uint16_t linear = (uint16_t)(h >> 15);
    if (linear == 0 || index >= procs[p].capacity) return -1;
    struct slot *s = &procs[p].slots[index];
    return s->used && s->linear == linear ? s->obj : -1;
}

/* Inserts a handle to `obj` into process p: the handle, or 0 when the table is full. */
static uint32_t insert_handle(int p, int obj) {
    struct process *pr = &procs[p];
    for (int i = 0; i < pr->capacity; i++) {
        if (pr->slots[i].used) continue;
        uint16_t linear = pr->next_linear;
        pr->next_linear = linear >= 0x7FFF ? 1 : (uint16_t)(linear + 1);
        pr->slots[i].used = 1;
        pr->slots[i].linear = linear;
        pr->slots[i].obj = obj;
        objects[obj].refs++;
        return (uint32_t)i | (uint32_t)linear << 15;
    }
    return 0;
}

static void complete(int t, uint32_t result);

static void release_object(int obj) {
    if (--objects[obj].refs > 0) return;
    struct session *s = &sessions[objects[obj].session];
    if (objects[obj].kind == O_SERVER) {
        /* §6.4: the current request, then the queue, get SessionClosed. */
        s->closed = 1;
        if (s->current >= 0) {
            int t = s->current;
            s->current = -1;
            complete(t, R_SESSION_CLOSED);
        }
        while (s->qlen > 0) {
            int t = s->queue[0];
            memmove(s->queue, s->queue + 1, sizeof(int) * (size_t)--s->qlen);
            complete(t, R_SESSION_CLOSED);
        }
    } else if (objects[obj].kind == O_CLIENT) {
        s->closed = 1; /* a synchronous request keeps its session open */
    }
}

static int remove_handle(int p, uint32_t h) {
    int obj = lookup(p, h);
    if (obj < 0) return 0;
    procs[p].slots[h & 0x7FFF].used = 0;
    release_object(obj);
    return 1;
}

static int handle_count(int p) {
    int n = 0;
    for (int i = 0; i < procs[p].capacity; i++) n += procs[p].slots[i].used;
    return n;
}

/* ---- requests -------------------------------------------------------------------- */

/* The client thread's request completes with `result`. */
static void complete(int t, uint32_t result) {
    threads[t].status = ST_COMPLETED;
    threads[t].result = result;
    int obj = threads[t].session_obj;
    threads[t].session_obj = -1;
    if (obj >= 0) release_object(obj);
}

static int server_signaled(int s) {
    return sessions[s].closed || (sessions[s].qlen > 0 && sessions[s].current < 0);
}

/* ---- special data (§4.3 step 8, §5.2 step 9) -------------------------------------- */

struct sides {
    struct buf src, dst;
};

static uint32_t copy_handle(struct sides sd, uint32_t h, uint32_t *res) {
    if (h == 0 || *res) return 0;
    int obj;
    if (h == CURRENT_PROCESS)
        obj = procs[sd.src.proc].obj;
    else if (h == CURRENT_THREAD)
        obj = threads[sd.src.thread].obj;
    else
        obj = lookup(sd.src.proc, h);
    if (obj < 0) {
        *res = R_INVALID_HANDLE;
        return 0;
    }
    uint32_t n = insert_handle(sd.dst.proc, obj);
    if (!n) *res = R_OUT_OF_HANDLES;
    return n;
}

static uint32_t move_handle(struct sides sd, uint32_t h, uint32_t *res) {
    if (h == 0) return 0;
    if (*res) {
        remove_handle(sd.src.proc, h);
        return 0;
    }
    int obj = lookup(sd.src.proc, h);
    if (obj < 0) {
        *res = R_INVALID_HANDLE;
        return 0;
    }
    uint32_t n = insert_handle(sd.dst.proc, obj);
    remove_handle(sd.src.proc, h);
    if (!n) *res = R_OUT_OF_HANDLES;
    return n;
}

static uint32_t special_data(struct sides sd, const struct layout *l) {
    if (!l->special) return R_SUCCESS;
    if (!write_word(sd.dst, 2, l->w[2])) return R_INVALID_CURRENT_MEMORY;
    int at = l->sd;
    if (l->has_pid) {
        uint64_t pid = procs[sd.src.proc].pid;
        uint32_t words[2] = {(uint32_t)pid, (uint32_t)(pid >> 32)};
        if (!write_words(sd.dst, at, 2, words)) return R_INVALID_CURRENT_MEMORY;
        at += 2;
    }
    int n = l->ncopy + l->nmove;
    uint32_t in[32], out[32], res = R_SUCCESS;
    if (!read_words(sd.src, at, n, in)) return R_INVALID_CURRENT_MEMORY;
    for (int i = 0; i < n; i++)
        out[i] = i < l->ncopy ? copy_handle(sd, in[i], &res) : move_handle(sd, in[i], &res);
    if (!write_words(sd.dst, at, n, out)) return R_INVALID_CURRENT_MEMORY;
    return res;
}

/* §4.7: after a failed translation, the handles given to dst are taken back. */
static void cleanup_special_data(struct buf dst) {
    struct layout l;
    if (!layout_of(dst, &l) || l.size > dst.size || !l.special) return;
    int at = l.sd;
    if (l.has_pid) {
        uint32_t zero[2] = {0, 0};
        write_words(dst, at, 2, zero);
        at += 2;
    }
    int n = l.ncopy + l.nmove;
    uint32_t h[32], zero[32] = {0};
    if (!read_words(dst, at, n, h)) return;
    for (int i = 0; i < n; i++)
        if (h[i]) remove_handle(dst.proc, h[i]);
    write_words(dst, at, n, zero);
}

/* §5.4: the server's move handles are consumed even when its reply fails early. */
static uint32_t cleanup_server_handles(struct buf src) {
    struct layout l;
    if (!layout_of(src, &l)) return R_INVALID_CURRENT_MEMORY;
    if (l.size > src.size) return R_INVALID_COMBINATION;
    if (!l.special) return R_SUCCESS;
    uint32_t h[16];
    if (!read_words(src, l.sd + (l.has_pid ? 2 : 0) + l.ncopy, l.nmove, h)) return R_SUCCESS;
    for (int i = 0; i < l.nmove; i++) remove_handle(src.proc, h[i]);
    return R_SUCCESS;
}

/* ---- pointers (§3) --------------------------------------------------------------- */

struct placement {
    int mode;           /* the destination's ReceiveListCount */
    uint64_t a, z, key; /* mode 2: the entry and the running key */
};

static uint32_t capture(struct buf dst, const struct layout *l, struct placement *pl) {
    memset(pl, 0, sizeof *pl);
    pl->mode = l->rl_count;
    if (l->rl_count == 2) {
        uint32_t e[2];
        if (!read_words(dst, l->rli, 2, e)) return R_INVALID_CURRENT_MEMORY;
        pl->a = (uint64_t)e[0] | (uint64_t)(e[1] & 0x7F) << 32;
        pl->z = e[1] >> 16;
    }
    return R_SUCCESS;
}

static uint32_t transfer_pointer(struct sides sd, int word, struct placement *pl) {
    uint32_t x[2];
    if (!read_words(sd.src, word, 2, x)) return R_INVALID_CURRENT_MEMORY;
    uint32_t index = x[0] & 0xF;
    uint64_t addr = (uint64_t)x[1] | (uint64_t)((x[0] >> 12) & 0xF) << 32 |
                    (uint64_t)((x[0] >> 6) & 0x7) << 36;
    uint64_t size = x[0] >> 16;
    if (size == 0) {
        uint32_t d[2] = {index, 0};
        return write_words(sd.dst, word, 2, d) ? R_SUCCESS : R_INVALID_CURRENT_MEMORY;
    }
    uint64_t at;
    if (pl->mode == 0) return R_OUT_OF_RESOURCE;
    if (pl->mode != 2) {
        refuse("receive-list mode %d is not supported (only 0 and 2: capability pointer)",
               pl->mode);
        return R_OUT_OF_RESOURCE;
    }
    uint64_t unaligned = pl->a + pl->key;
    if (unaligned < pl->a || unaligned + 15 < unaligned) return R_OUT_OF_RESOURCE;
    at = (unaligned + 15) & ~(uint64_t)15;
    if (at + size < at || pl->a + pl->z < pl->a) return R_OUT_OF_RESOURCE;
    if (pl->z == 0 || at + size > pl->a + pl->z) return R_OUT_OF_RESOURCE;
    pl->key = at + size - pl->a;
    if (!range_ok(sd.src.proc, addr, size, N_LINEAR | N_READ | N_CACHED) ||
        !range_ok(sd.dst.proc, at, size, N_LINEAR | N_WRITE | N_CACHED))
        return R_INVALID_CURRENT_MEMORY;
    uint8_t data[0x10000];
    if (!mem_read(sd.src.proc, addr, data, size) || !mem_write(sd.dst.proc, at, data, size))
        return R_INVALID_CURRENT_MEMORY;
    uint32_t d[2] = {index | (uint32_t)((at >> 36) & 0x7) << 6 |
                         (uint32_t)((at >> 32) & 0xF) << 12 | (uint32_t)size << 16,
                     (uint32_t)at};
    return write_words(sd.dst, word, 2, d) ? R_SUCCESS : R_INVALID_CURRENT_MEMORY;
}

/* ---- receiving a request (§4.2-§4.8) ------------------------------------------------ */

/* ReceiveMessage for client thread c into server thread t's buffer: the result for
 * the client; *broken says whether the server's receive list was overwritten. */
static uint32_t receive_message(int c, int t, int *broken) {
    struct sides sd = {tls_of(c), tls_of(t)};
    struct layout dl, sl;
    *broken = 0;
    if (!layout_of(sd.dst, &dl) || !layout_of(sd.src, &sl)) return R_INVALID_CURRENT_MEMORY;
    if (dl.size > sd.dst.size) return R_INVALID_COMBINATION;            /* 1 */
    if (sl.size > sd.src.size) return R_INVALID_COMBINATION;            /* 2 */
    if (!offset_valid(&dl)) return R_INVALID_COMBINATION;               /* 3 */
    if (sd.dst.size < 4 * (uint64_t)sl.end) return R_MESSAGE_TOO_LARGE; /* 4 */
    struct placement pl;
    uint32_t r = capture(sd.dst, &dl, &pl); /* 5 */
    if (r) return r;
    if (sl.nmove) return R_INVALID_COMBINATION; /* 6 */
    uint32_t saved[3];
    if (!read_words(sd.dst, 0, 3, saved)) return R_INVALID_CURRENT_MEMORY;

    int l = dl.rli;
    r = write_words(sd.dst, 0, 2, sl.w) ? R_SUCCESS : R_INVALID_CURRENT_MEMORY; /* 7 */
    if (!r && sl.special) {                                                       /* 8 */
        r = special_data(sd, &sl);
        *broken |= sl.ptr > l;
    }
    for (int i = 0; !r && i < sl.nx; i++) { /* 9 */
        int word = sl.ptr + 2 * i;
        r = transfer_pointer(sd, word, &pl);
        *broken |= word + 2 > l;
    }
    for (int i = 0; !r && i < sl.na + sl.nb + sl.nw; i++) { /* 10 */
        int word = sl.ma + 3 * i;
        uint32_t m[3];
        if (!read_words(sd.src, word, 3, m)) {
            r = R_INVALID_CURRENT_MEMORY;
        } else if ((m[2] & 3) == 2) {
            r = R_INVALID_COMBINATION;
        } else if (m[0] == 0 && (m[2] >> 24 & 0xF) == 0) {
            uint32_t d[3] = {0, 0, m[2] & 3};
            r = write_words(sd.dst, word, 3, d) ? R_SUCCESS : R_INVALID_CURRENT_MEMORY;
        } else {
            refuse("map-alias (A/B/W) buffers with a size are not supported");
            r = R_INVALID_CURRENT_MEMORY;
        }
        *broken |= word + 3 > l;
    }
    if (!r) { /* 11 */
        uint32_t raw[1024];
        if (!read_words(sd.src, sl.rawi, sl.raw, raw) ||
            !write_words(sd.dst, sl.rawi, sl.raw, raw))
            r = R_INVALID_CURRENT_MEMORY;
        *broken |= sl.rawi + sl.raw > l;
    }
    if (r) { /* §4.8 rollback */
        if (sl.special) cleanup_special_data(sd.dst);
        if (!*broken) write_words(sd.dst, 0, dl.special ? 3 : 2, saved);
    }
    return r;
}

/* ReceiveRequest on session s for server thread t: what the server's wait sees. */
static uint32_t receive_request(int s, int t) {
    struct session *se = &sessions[s];
    if (se->closed) return R_SESSION_CLOSED;
    if (se->current >= 0 || se->qlen == 0) return R_NOT_FOUND;
    int c = se->queue[0];
    memmove(se->queue, se->queue + 1, sizeof(int) * (size_t)--se->qlen);
    se->current = c;
    int broken;
    uint32_t r = receive_message(c, t, &broken);
    if (!r) return R_SUCCESS;
    se->current = -1;
    complete(c, r);
    return broken ? R_RECEIVE_LIST_BROKEN : R_NOT_FOUND;
}

/* ---- replying (§5) ------------------------------------------------------------------ */

static uint32_t send_message(int c, int t) {
    struct sides sd = {tls_of(t), tls_of(c)};
    struct layout sl, dl;
    uint32_t r = R_SUCCESS;
    struct placement pl;
    if (!layout_of(sd.src, &sl) || !layout_of(sd.dst, &dl))
        r = R_INVALID_CURRENT_MEMORY;
    else if (sl.size > sd.src.size || dl.size > sd.dst.size)
        r = R_INVALID_COMBINATION;
    else if (!offset_valid(&dl))
        r = R_INVALID_COMBINATION;
    else if (sd.dst.size < 4 * (uint64_t)sl.end)
        r = R_MESSAGE_TOO_LARGE;
    else if (sl.na || sl.nb || sl.nw)
        r = R_INVALID_COMBINATION;
    else
        r = capture(sd.dst, &dl, &pl);
    if (r) {
        cleanup_server_handles(sd.src);
        return r;
    }
    r = write_words(sd.dst, 0, 2, sl.w) ? R_SUCCESS : R_INVALID_CURRENT_MEMORY;
    if (!r) r = special_data(sd, &sl);
    for (int i = 0; !r && i < sl.nx; i++) r = transfer_pointer(sd, sl.ptr + 2 * i, &pl);
    if (!r) {
        uint32_t raw[1024];
        if (!read_words(sd.src, sl.rawi, sl.raw, raw) ||
            !write_words(sd.dst, sl.rawi, sl.raw, raw))
            r = R_INVALID_CURRENT_MEMORY;
    }
    if (r && sl.special) cleanup_special_data(sd.dst);
    return r;
}

/* SendReply on session s by server thread t: 0, or the error for the server. */
static uint32_t send_reply(int s, int t) {
    struct session *se = &sessions[s];
    int c = se->current;
    se->current = -1;
    if (c < 0) return R_INVALID_STATE;
    if (!se->closed) {
        complete(c, send_message(c, t));
        return R_SUCCESS;
    }
    uint32_t r = cleanup_server_handles(tls_of(t));
    if (r) {
        complete(c, r);
        return R_SUCCESS;
    }
    complete(c, R_SESSION_CLOSED);
    return R_SESSION_CLOSED;
}

/* ---- output ----------------------------------------------------------------------- */

static const char *request_id; /* the raw id of the request being answered */
static FILE *out;               /* where answers are built (see main) */

static int answer_ok(const char *fmt, ...) {
    fprintf(out, "{\"id\":%s,\"ok\":", request_id);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fprintf(out, "}\n");
    fflush(out);
    return 0;
}

static int answer_error(const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(out, "{\"id\":%s,\"error\":\"", request_id);
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            fprintf(out, " ");
        else
            fputc(*p, out);
    }
    fprintf(out, "\"}\n");
    fflush(out);
    return 0;
}

/* ---- arguments -------------------------------------------------------------------- */

static struct json_doc doc;
static int root;
static const char *arg_error;

static uint64_t arg_u64(const char *key) {
    struct json_node *n = json_get(&doc, root, key);
    if (!n || n->type != J_NUM || n->neg) {
        if (!arg_error) arg_error = key;
        return 0;
    }
    return n->num;
}

static int arg_bool(const char *key) {
    struct json_node *n = json_get(&doc, root, key);
    if (!n || n->type != J_BOOL) {
        if (!arg_error) arg_error = key;
        return 0;
    }
    return (int)n->num;
}

static const char *arg_str(const char *key) {
    struct json_node *n = json_get(&doc, root, key);
    if (!n || n->type != J_STR) {
        if (!arg_error) arg_error = key;
        return "";
    }
    return n->str;
}

static int arg_process(void) {
    uint64_t p = arg_u64("process");
    if (arg_error || p == 0 || p > MAX_PROCS || !procs[p - 1].used) return -1;
    return (int)p - 1;
}

static int arg_thread(void) {
    uint64_t t = arg_u64("thread");
    if (arg_error || t == 0 || t > MAX_THREADS || !threads[t - 1].used) return -1;
    return (int)t - 1;
}

/* "buffer": only "tls" is supported. */
static int arg_tls_buffer(void) {
    struct json_node *n = json_get(&doc, root, "buffer");
    if (n && n->type == J_STR && strcmp(n->str, "tls") == 0) return 1;
    refuse("user message buffers are not supported (capability user-buffer)");
    return 0;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes hex into a new buffer; *len gets its length. NULL on bad hex. */
static uint8_t *hex_decode(const char *s, uint64_t *len) {
    size_t n = strlen(s);
    if (n % 2) return NULL;
    uint8_t *out = malloc(n / 2 + 1);
    if (!out) return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(out);
            return NULL;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

/* ---- operations ---------------------------------------------------------------------- */

static int add_region(int p, uint64_t addr, uint64_t size, int state, int perm, int attrs) {
    struct process *pr = &procs[p];
    if (pr->nregions >= MAX_REGIONS) return 0;
    for (int r = 0; r < pr->nregions; r++) {
        struct region *g = &pr->regions[r];
        if (addr < g->addr + g->size && g->addr < addr + size) return 0;
    }
    uint8_t *data = calloc(1, size);
    if (!data) return 0;
    struct region g = {addr, size, state, perm, attrs, data};
    pr->regions[pr->nregions++] = g;
    return 1;
}

static int op_create_process(void) {
    struct json_node *pid = json_get(&doc, root, "pid");
    struct json_node *cap = json_get(&doc, root, "handle_capacity");
    struct json_node *alias = json_get(&doc, root, "alias_region_size");
    if (alias && alias->type != J_NULL)
        return answer_error("alias_region_size is not supported (capability alias-region-size)");
    int p = 0;
    while (p < MAX_PROCS && procs[p].used) p++;
    int t = 0;
    while (t < MAX_THREADS && threads[t].used) t++;
    if (p == MAX_PROCS || t == MAX_THREADS) return answer_error("too many processes");
    int capacity = HANDLE_SLOTS;
    if (cap && cap->type == J_NUM) {
        if (cap->num > HANDLE_SLOTS) return answer_error("handle_capacity above 1024");
        capacity = (int)cap->num;
    }
    uint64_t id = next_pid;
    if (pid && pid->type == J_NUM) {
        id = pid->num;
        for (int q = 0; q < MAX_PROCS; q++)
            if (procs[q].used && procs[q].pid == id)
                return answer_error("process id %" PRIu64 " already in use", id);
    } else {
        next_pid++;
    }
    struct process *pr = &procs[p];
    memset(pr, 0, sizeof *pr);
    pr->used = 1;
    pr->pid = id;
    pr->capacity = capacity;
    pr->next_linear = 1;
    pr->obj = new_object(O_PROCESS);
    pr->thread = t;
    objects[pr->obj].refs = 1;
    struct thread *th = &threads[t];
    memset(th, 0, sizeof *th);
    th->used = 1;
    th->proc = p;
    th->tls = TLS_BASE + PAGE * (uint64_t)t;
    th->obj = new_object(O_THREAD);
    th->session_obj = -1;
    objects[th->obj].refs = 1;
    add_region(p, th->tls, PAGE, 11 /* ThreadLocal */, P_RW, 0);
    answer_ok("%d", p + 1);
    return 0;
}

/* A region's contents come in the full form ("contents": hex, the rest zero) or,
 * since this kernel declares protocol feature "fill", in the fill form ("fill": a
 * byte value for the whole region, then "patches": [{"offset", "bytes"}] written
 * over it). Everything is checked before the region is created: a refused request
 * maps nothing. */
static int op_map_memory(int p) {
    uint64_t addr = arg_u64("address"), size = arg_u64("size");
    const char *state = arg_str("state"), *perm = arg_str("permission");
    struct json_node *contents = json_get(&doc, root, "contents");
    struct json_node *fill = json_get(&doc, root, "fill");
    struct json_node *patches = json_get(&doc, root, "patches");
    struct json_node *attrs = json_get(&doc, root, "attributes");
    if (arg_error || !attrs || attrs->type != J_OBJ) return answer_error("bad map_memory arguments");
    int s = 0, pm = 0, a = 0;
    while (s < N_STATES && strcmp(STATES[s].name, state) != 0) s++;
    while (pm < 4 && strcmp(PERMS[pm], perm) != 0) pm++;
    if (s == N_STATES || pm == 4) return answer_error("unknown state or permission");
    for (int i = attrs->child; i >= 0; i = doc.nodes[i].next)
        for (int k = 0; k < 5; k++)
            if (strcmp(doc.nodes[i].key, ATTRS[k]) == 0 && doc.nodes[i].num) a |= 1 << k;
    if (addr % PAGE || size % PAGE || size == 0 || size > MAX_REGION_SIZE)
        return answer_error("regions must be page-aligned, non-empty and at most 16 MiB");
    if (!contents == !fill) return answer_error("map_memory: give \"contents\" or \"fill\", exactly one");
    if (fill && (fill->type != J_NUM || fill->neg || fill->num > 255))
        return answer_error("map_memory: fill must be a byte value 0..255");
    if (patches && (!fill || patches->type != J_ARR))
        return answer_error("map_memory: \"patches\" (an array) go with \"fill\"");
    for (int i = patches ? patches->child : -1; i >= 0; i = doc.nodes[i].next) {
        struct json_node *off = json_get(&doc, i, "offset"), *hex = json_get(&doc, i, "bytes");
        if (doc.nodes[i].type != J_OBJ || !off || off->type != J_NUM || off->neg || !hex ||
            hex->type != J_STR)
            return answer_error("map_memory: a patch is {\"offset\": integer, \"bytes\": hex}");
        uint64_t n = 0;
        uint8_t *bytes = hex_decode(hex->str, &n);
        int bad = !bytes;
        free(bytes);
        if (bad || off->num > size || n > size - off->num)
            return answer_error("map_memory: patch at offset 0x%" PRIx64 ": bad hex, or not within the region", off->num);
    }
    uint64_t n = 0;
    uint8_t *bytes = NULL;
    if (contents) {
        bytes = contents->type == J_STR ? hex_decode(contents->str, &n) : NULL;
        if (!bytes || n > size) {
            free(bytes);
            return answer_error("bad contents");
        }
    }
    if (!add_region(p, addr, size, s, pm, a)) {
        free(bytes);
        return answer_error("region overlaps another, or too many regions");
    }
    if (contents) mem_write(p, addr, bytes, n);
    free(bytes);
    if (fill) memset(procs[p].regions[procs[p].nregions - 1].data, (int)fill->num, size);
    for (int i = patches ? patches->child : -1; i >= 0; i = doc.nodes[i].next) {
        n = 0;
        bytes = hex_decode(json_get(&doc, i, "bytes")->str, &n);
        mem_write(p, addr + json_get(&doc, i, "offset")->num, bytes, n);
        free(bytes);
    }
    answer_ok("null");
    return 0;
}

static int op_create_session(void) {
    uint64_t sv = arg_u64("server"), cl = arg_u64("client");
    if (arg_error || !sv || !cl || sv > MAX_PROCS || cl > MAX_PROCS || !procs[sv - 1].used ||
        !procs[cl - 1].used)
        return answer_error("bad processes");
    int s = 0;
    while (s < MAX_SESSIONS && sessions[s].used) s++;
    int so = new_object(O_SERVER), co = new_object(O_CLIENT);
    if (s == MAX_SESSIONS || so < 0 || co < 0) return answer_error("too many sessions");
    memset(&sessions[s], 0, sizeof sessions[s]);
    sessions[s].used = 1;
    sessions[s].current = -1;
    objects[so].session = objects[co].session = s;
    uint32_t hs = insert_handle((int)sv - 1, so), hc = insert_handle((int)cl - 1, co);
    if (!hs || !hc) return answer_error("handle table full");
    answer_ok("{\"server\":%u,\"client\":%u}", hs, hc);
    return 0;
}

static int op_send(int t) {
    uint32_t h = (uint32_t)arg_u64("session");
    if (!arg_tls_buffer()) return 0;
    struct thread *th = &threads[t];
    if (th->status == ST_PENDING) return answer_ok("{\"status\":\"returned\",\"result\":%u}", R_INVALID_STATE);
    int obj = lookup(th->proc, h);
    if (obj < 0 || objects[obj].kind != O_CLIENT)
        return answer_ok("{\"status\":\"returned\",\"result\":%u}", R_INVALID_HANDLE);
    struct session *se = &sessions[objects[obj].session];
    if (se->closed) return answer_ok("{\"status\":\"returned\",\"result\":%u}", R_SESSION_CLOSED);
    objects[obj].refs++; /* the blocked syscall keeps its client session alive */
    th->session_obj = obj;
    th->session = objects[obj].session;
    th->status = ST_PENDING;
    se->queue[se->qlen++] = t;
    answer_ok("{\"status\":\"pending\"}");
    return 0;
}

static int wait_answer(uint32_t result, int index) {
    if (index == -2)
        answer_ok("{\"result\":%u,\"out_index\":null}", result);
    else
        answer_ok("{\"result\":%u,\"out_index\":%d}", result, index);
    return 0;
}

static int op_reply_and_receive(int t) {
    struct json_node *hs = json_get(&doc, root, "handles");
    uint32_t target = (uint32_t)arg_u64("reply_target");
    if (!hs || hs->type != J_ARR || arg_error) return answer_error("bad arguments");
    if (!arg_tls_buffer()) return 0;
    struct thread *th = &threads[t];
    if (th->status == ST_PENDING) return wait_answer(R_INVALID_STATE, -2);
    int objs[65], n = 0;
    for (int i = hs->child; i >= 0; i = doc.nodes[i].next) {
        if (n == 65) return wait_answer(R_OUT_OF_RANGE, -2);
        objs[n++] = doc.nodes[i].type == J_NUM ? lookup(th->proc, (uint32_t)doc.nodes[i].num) : -1;
    }
    if (n > 64) return wait_answer(R_OUT_OF_RANGE, -2);
    for (int i = 0; i < n; i++)
        if (objs[i] < 0 || objects[objs[i]].kind == O_CLIENT) return wait_answer(R_INVALID_HANDLE, -2);
    if (target) {
        int obj = lookup(th->proc, target);
        if (obj < 0 || objects[obj].kind != O_SERVER) return wait_answer(R_INVALID_HANDLE, -2);
        uint32_t r = send_reply(objects[obj].session, t);
        if (r) return wait_answer(r, -1);
    }
    for (;;) { /* each NotFound consumed a queued request, so this ends */
        int i = 0;
        for (; i < n; i++) {
            struct object *o = &objects[objs[i]];
            if ((o->kind == O_SERVER && server_signaled(o->session)) ||
                (o->kind == O_EVENT && o->signaled))
                break;
        }
        if (i == n) return wait_answer(R_TIMED_OUT, -2);
        if (objects[objs[i]].kind != O_SERVER) return wait_answer(R_SUCCESS, i);
        uint32_t r = receive_request(objects[objs[i]].session, t);
        if (r != R_NOT_FOUND) return wait_answer(r, i);
    }
    return 0;
}

static int op_read_memory(int p) {
    uint64_t addr = arg_u64("address"), len = arg_u64("len");
    if (arg_error || len > MAX_REGION_SIZE) return answer_error("bad arguments");
    uint8_t *bytes = malloc(len + 1);
    if (!bytes || !mem_read(p, addr, bytes, len)) {
        free(bytes);
        return answer_error("read_memory: 0x%" PRIx64 " bytes at 0x%" PRIx64 " are not all mapped", len, addr);
    }
    fprintf(out, "{\"id\":%s,\"ok\":\"", request_id);
    for (uint64_t i = 0; i < len; i++) fprintf(out, "%02x", bytes[i]);
    fprintf(out, "\"}\n");
    fflush(out);
    free(bytes);
    return 0;
}

static int op_write_memory(int p) {
    uint64_t addr = arg_u64("address"), n;
    uint8_t *bytes = hex_decode(arg_str("bytes"), &n);
    if (arg_error || !bytes) {
        free(bytes);
        return answer_error("bad arguments");
    }
    int ok = mem_write(p, addr, bytes, n);
    free(bytes);
    if (!ok) return answer_error("write_memory: bytes at 0x%" PRIx64 " are not all mapped", addr);
    answer_ok("null");
    return 0;
}

static int op_ipc_mappings(int p) {
    /* No A/B/W buffer is ever mapped; regions created in an IPC state are listed. */
    fprintf(out, "{\"id\":%s,\"ok\":[", request_id);
    int first = 1;
    for (int r = 0; r < procs[p].nregions; r++) {
        struct region *g = &procs[p].regions[r];
        const char *name = STATES[g->state].name;
        if (strcmp(name, "Ipc") && strcmp(name, "NonSecureIpc") && strcmp(name, "NonDeviceIpc"))
            continue;
        fprintf(out, "%s{\"base\":%" PRIu64 ",\"size\":%" PRIu64 ",\"state\":\"%s\",\"permission\":\"%s\",\"attributes\":{",
               first ? "" : ",", g->addr, g->size, name, PERMS[g->perm]);
        for (int k = 0; k < 5; k++) fprintf(out, "%s\"%s\":%s", k ? "," : "", ATTRS[k], g->attrs >> k & 1 ? "true" : "false");
        fprintf(out, "}}");
        first = 0;
    }
    fprintf(out, "]}\n");
    fflush(out);
    return 0;
}

static const char *KNOWN_OPS[] = {
    "hello", "reset", "create_process", "main_thread", "create_thread", "map_memory",
    "create_event", "create_session", "send_sync_request", "send_async_request",
    "reply_and_receive", "close_handle", "request_status", "process_id", "tls_address",
    "read_memory", "write_memory", "user_can_access", "query_memory", "ipc_mappings",
    "handle_object", "handle_count", "process_object", "thread_object", "event_signaled",
};

static int dispatch(const char *op) {
    size_t k = 0;
    while (k < sizeof KNOWN_OPS / sizeof KNOWN_OPS[0] && strcmp(KNOWN_OPS[k], op) != 0) k++;
    if (k == sizeof KNOWN_OPS / sizeof KNOWN_OPS[0]) return answer_error("unknown operation %s", op);
    if (strcmp(op, "hello") == 0) {
        if (strcmp(arg_str("protocol"), "hipc-kernel/1") != 0)
            return answer_error("unsupported protocol (this kernel speaks hipc-kernel/1)");
        return answer_ok("{\"protocol\":\"hipc-kernel/1\",\"name\":\"c-kernel\",\"version\":\"0.1.0\","
                         "\"capabilities\":[\"tls-buffer\",\"pid\",\"copy-handles\",\"pointer\",\"memory-states\"],"
                         "\"features\":[\"fill\"]}");
    }
    if (strcmp(op, "reset") == 0) {
        reset_all();
        return answer_ok("null");
    }
    if (strcmp(op, "create_process") == 0) return op_create_process();
    if (strcmp(op, "create_session") == 0) return op_create_session();

    /* Operations on a thread. */
    if (json_get(&doc, root, "thread")) {
        int t = arg_thread();
        if (t < 0) return answer_error("no such thread");
        if (strcmp(op, "send_sync_request") == 0) return op_send(t);
        if (strcmp(op, "reply_and_receive") == 0) return op_reply_and_receive(t);
        if (strcmp(op, "request_status") == 0) {
            struct thread *th = &threads[t];
            if (th->status == ST_IDLE) return answer_ok("{\"status\":\"idle\"}");
            if (th->status == ST_PENDING) return answer_ok("{\"status\":\"pending\"}");
            return answer_ok("{\"status\":\"completed\",\"result\":%u}", th->result);
        }
        if (strcmp(op, "tls_address") == 0) return answer_ok("%" PRIu64, threads[t].tls);
        if (strcmp(op, "thread_object") == 0) return answer_ok("%d", threads[t].obj + 1);
        if (strcmp(op, "send_async_request") == 0)
            return answer_error("async requests are not supported (capability async)");
        return answer_error("unknown operation %s", op);
    }

    /* Operations on a process. */
    int p = arg_process();
    if (p < 0) return answer_error("no such process");
    if (strcmp(op, "main_thread") == 0) return answer_ok("%d", procs[p].thread + 1);
    if (strcmp(op, "create_thread") == 0)
        return answer_error("one thread per process (capability threads)");
    if (strcmp(op, "map_memory") == 0) return op_map_memory(p);
    if (strcmp(op, "create_event") == 0) {
        if (strcmp(arg_str("kind"), "event") != 0)
            return answer_error("interrupt events are not supported (capability interrupt-event)");
        int o = new_object(O_EVENT);
        if (o < 0) return answer_error("too many objects");
        uint32_t h = insert_handle(p, o);
        if (!h) return answer_error("handle table full");
        return answer_ok("%u", h);
    }
    if (strcmp(op, "close_handle") == 0) {
        uint32_t h = (uint32_t)arg_u64("handle");
        if (h == CURRENT_PROCESS || h == CURRENT_THREAD) return answer_ok("{\"result\":0}");
        return answer_ok("{\"result\":%u}", remove_handle(p, h) ? R_SUCCESS : R_INVALID_HANDLE);
    }
    if (strcmp(op, "process_id") == 0) return answer_ok("%" PRIu64, procs[p].pid);
    if (strcmp(op, "read_memory") == 0) return op_read_memory(p);
    if (strcmp(op, "write_memory") == 0) return op_write_memory(p);
    if (strcmp(op, "user_can_access") == 0) {
        uint64_t addr = arg_u64("address"), len = arg_u64("len");
        int ok = range_ok(p, addr, len, arg_bool("write") ? N_WRITE : N_READ);
        return answer_ok(ok ? "true" : "false");
    }
    if (strcmp(op, "query_memory") == 0)
        return answer_error("memory queries are not supported (capability memory-query)");
    if (strcmp(op, "ipc_mappings") == 0) return op_ipc_mappings(p);
    if (strcmp(op, "handle_object") == 0) {
        int o = lookup(p, (uint32_t)arg_u64("handle"));
        return o < 0 ? answer_ok("null") : answer_ok("%d", o + 1);
    }
    if (strcmp(op, "handle_count") == 0) return answer_ok("%d", handle_count(p));
    if (strcmp(op, "process_object") == 0) return answer_ok("%d", procs[p].obj + 1);
    if (strcmp(op, "event_signaled") == 0) {
        int o = lookup(p, (uint32_t)arg_u64("handle"));
        if (o < 0 || objects[o].kind != O_EVENT) return answer_error("not an event handle");
        return answer_ok(objects[o].signaled ? "true" : "false");
    }
    return answer_error("unknown operation %s", op);
}

int main(void) {
    char *line = NULL;
    size_t cap = 0;
    char id[32];
    reset_all();
    out = stdout;
    while (getline(&line, &cap, stdin) > 0) {
        request_id = "null";
        root = json_parse(&doc, line);
        if (root < 0) {
            answer_error("bad request: %s", doc.error);
            continue;
        }
        struct json_node *n = json_get(&doc, root, "id");
        if (!n || n->type != J_NUM || n->neg) {
            answer_error("bad request: no integer id");
            continue;
        }
        snprintf(id, sizeof id, "%" PRIu64, n->num);
        request_id = id;
        struct json_node *op = json_get(&doc, root, "op");
        if (!op || op->type != J_STR) {
            answer_error("bad request: no op");
            continue;
        }
        arg_error = NULL;
        unsupported[0] = '\0';
        /* The answer is built in memory, so that a refusal discovered midway
         * (see refuse) replaces it. */
        char *text = NULL;
        size_t text_len = 0;
        out = open_memstream(&text, &text_len);
        if (!out) return 1;
        dispatch(op->str);
        fclose(out);
        out = stdout;
        if (unsupported[0]) {
            fprintf(stderr, "c-kernel: %s\n", unsupported);
            answer_error("unsupported: %s", unsupported);
        } else if (arg_error) {
            answer_error("bad request: missing or invalid \"%s\"", arg_error);
        } else {
            fwrite(text, 1, text_len, stdout);
            fflush(stdout);
        }
        free(text);
    }
    free(line);
    return 0;
}
