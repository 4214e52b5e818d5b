/* SPDX-License-Identifier: MIT */
/* The crash test (crash.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "crash.h"

#define TABLE "crash"
enum { KEYLEN = 32, MAXC = 16 };

/* A reported transaction: client, generation (one per process), number. */
typedef struct rec {
    int c, g, t;
} rec;

static int rows_of(int t) { return 1 + t % 8; }

static size_t key_of(char *k, int c, int g, int t, int r)
{
    return (size_t)snprintf(k, KEYLEN, "c%02d g%04d t%07d r%02d", c, g, t, r);
}

/* The value of row r: its length and bytes follow from the key. */
static size_t val_of(unsigned char *v, int c, int g, int t, int r)
{
    size_t n = (size_t)(r * 7 + t % 5); /* 0 for the first row of some */
    for (size_t i = 0; i < n; i++)
        v[i] = (unsigned char)(c * 31 + g * 17 + t * 13 + r * 7 + (int)i);
    return n;
}

static int txn(b2b2c_storage *s, int c, int g, int t)
{
    char k[KEYLEN];
    unsigned char v[64];
    int rc = s->begin(s->userdata);

    for (int r = 0; rc == 0 && r < rows_of(t); r++) {
        size_t kl = key_of(k, c, g, t, r), vl = val_of(v, c, g, t, r);
        rc = s->put(s->userdata, TABLE, k, kl, v, vl);
    }
    if (rc == 0)
        rc = s->commit(s->userdata);
    if (rc != 0)
        s->rollback(s->userdata);
    return rc;
}

/* A client process: transactions until killed; each one reported (to the
 * O_APPEND file fd) once its commit has returned 0. */
static void client(const th_storage_factory *f, int fd, int c, int g)
{
    b2b2c_storage s;
    void *h;
    int rc = f->open(&s, &h);

    if (rc != 0) {
        fprintf(stderr, "crash client %d: open %d\n", c, rc);
        _exit(3);
    }
    for (int t = 0; t < 10000000; t++) {
        while ((rc = txn(&s, c, g, t)) == B2B2C_ECONFLICT)
            ;
        if (rc != 0) {
            fprintf(stderr, "crash client %d: transaction %d: %d\n", c, t, rc);
            _exit(3);
        }
        rec r = {c, g, t};
        if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
            _exit(4);
    }
    f->close(h);
    _exit(0);
}

static pid_t spawn(const th_storage_factory *f, int fd, int c, int g)
{
    pid_t pid = fork();
    if (pid == 0) {
#ifdef __linux__
        /* a test killed mid-run leaves no client looping behind it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        client(f, fd, c, g);
    }
    return pid;
}

/* 0 when the child died of SIGKILL (or ended normally), 1 when it failed. */
static int reap(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 1;
    if (WIFSIGNALED(status))
        return WTERMSIG(status) == SIGKILL ? 0 : 1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

typedef struct row {
    char k[KEYLEN];
    unsigned char v[64];
    size_t kl, vl;
} row;

typedef struct rows {
    row *r;
    size_t n, cap;
} rows;

static int collect(const void *k, size_t kl, const void *v, size_t vl,
                   void *payload)
{
    rows *a = payload;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        row *p = realloc(a->r, cap * sizeof(*p));
        if (!p)
            return -1;
        a->r = p;
        a->cap = cap;
    }
    if (kl >= KEYLEN || vl > sizeof(a->r->v))
        return -2;
    memcpy(a->r[a->n].k, k, kl);
    a->r[a->n].k[kl] = '\0';
    a->r[a->n].kl = kl;
    memcpy(a->r[a->n].v, v, vl);
    a->r[a->n].vl = vl;
    a->n++;
    return 0;
}

static int clear(b2b2c_storage *s, rows *a)
{
    int rc = s->begin(s->userdata);
    if (rc == 0)
        rc = s->scan(s->userdata, TABLE, collect, a);
    for (size_t i = 0; rc == 0 && i < a->n; i++)
        rc = s->del(s->userdata, TABLE, a->r[i].k, a->r[i].kl);
    if (rc == 0)
        rc = s->commit(s->userdata);
    if (rc != 0)
        s->rollback(s->userdata);
    a->n = 0;
    return rc;
}

/* A whole transaction, by (c, g, t), found in the store. */
typedef struct whole {
    int c, g, t;
} whole;

static int cmp_whole(const void *a, const void *b)
{
    const whole *x = a, *y = b;
    if (x->c != y->c)
        return x->c < y->c ? -1 : 1;
    if (x->g != y->g)
        return x->g < y->g ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

/* Group the rows (in key order, so a transaction's rows are adjacent and
 * in row order) into transactions; count whole ones and broken ones. */
static whole *check_rows(const rows *a, size_t *nwhole, long *partial)
{
    whole *w = malloc((a->n + 1) * sizeof(*w));
    size_t i = 0;

    *nwhole = 0;
    while (w && i < a->n) {
        int c, g, t, r, n = 0, ok = 1;
        if (sscanf(a->r[i].k, "c%d g%d t%d r%d", &c, &g, &t, &r) != 4) {
            (*partial)++;
            i++;
            continue;
        }
        for (; i < a->n; i++, n++) {
            int c2, g2, t2, r2;
            unsigned char v[64];
            if (sscanf(a->r[i].k, "c%d g%d t%d r%d", &c2, &g2, &t2, &r2) !=
                    4 ||
                c2 != c || g2 != g || t2 != t)
                break;
            size_t vl = val_of(v, c, g, t, r2);
            if (r2 != n || vl != a->r[i].vl || memcmp(v, a->r[i].v, vl) != 0)
                ok = 0;
        }
        if (ok && n == rows_of(t))
            w[(*nwhole)++] = (whole){c, g, t};
        else
            (*partial)++;
    }
    return w;
}

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int th_crash_run(const th_storage_factory *f, const th_crash_opts *o,
                 th_crash_result *res)
{
    char path[] = "/tmp/b2b2c_crash_XXXXXX";
    pid_t pid[MAXC];
    int gen[MAXC], fd, g = 0, rc;
    unsigned seed = o->seed;
    b2b2c_storage s;
    void *h;
    rows a = {0};

    memset(res, 0, sizeof(*res));
    if (o->clients < 1 || o->clients > MAXC)
        return -1;
    if ((rc = f->open(&s, &h)) != 0)
        return rc;
    rc = clear(&s, &a);
    f->close(h);
    if (rc != 0)
        return rc;
    if ((fd = mkstemp(path)) < 0)
        return -1;
    close(fd);
    fd = open(path, O_WRONLY | O_APPEND);
    for (int c = 0; c < o->clients; c++) {
        gen[c] = g++;
        pid[c] = spawn(f, fd, c, gen[c]);
    }
    for (int k = 0; k < o->kills; k++) {
        int c = rand_r(&seed) % o->clients;
        nap_ms(1 + rand_r(&seed) % o->max_wait_ms);
        kill(pid[c], SIGKILL);
        res->errors += reap(pid[c]);
        gen[c] = g++;
        pid[c] = spawn(f, fd, c, gen[c]);
    }
    nap_ms(1 + rand_r(&seed) % o->max_wait_ms);
    for (int c = 0; c < o->clients; c++) {
        kill(pid[c], SIGKILL);
        res->errors += reap(pid[c]);
    }
    close(fd);

    /* what the clients reported, against what the store has */
    if ((rc = f->open(&s, &h)) != 0)
        return rc;
    rc = s.scan(s.userdata, TABLE, collect, &a);
    f->close(h);
    size_t nw = 0;
    whole *w = rc == 0 ? check_rows(&a, &nw, &res->partial) : NULL;
    FILE *rep = fopen(path, "rb");
    rec r;
    if (w && rep) {
        res->found = (long)nw;
        while (fread(&r, sizeof(r), 1, rep) == 1) {
            whole key = {r.c, r.g, r.t};
            res->reported++;
            if (!bsearch(&key, w, nw, sizeof(*w), cmp_whole))
                res->missing++;
        }
    } else if (rc == 0) {
        rc = -1;
    }
    if (rep)
        fclose(rep);
    unlink(path);
    free(w);
    free(a.r);
    return rc;
}
