/* SPDX-License-Identifier: MIT */
/* Header checks for the tool's CSV inputs: other programs' names for the
 * same column, misspelt names and columns the command does not use. */
#include <ctype.h>
#include <string.h>

#include "cli.h"

/* lowercase, without '_', '-' and spaces ("Monetary Value" ->
 * "monetaryvalue"); truncated to the buffer */
static void fold(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++)
        if (*s != '_' && *s != '-' && *s != ' ')
            out[n++] = (char)tolower((unsigned char)*s);
    out[n] = '\0';
}

/* optimal string alignment distance (edits and adjacent swaps), capped */
static size_t osa(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), d[3][65];
    if (la > 64 || lb > 64)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t *cur = d[i % 3], *prev = d[(i + 2) % 3], *pp = d[(i + 1) % 3];
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t c = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < c)
                c = prev[j] + 1;
            if (cur[j - 1] + 1 < c)
                c = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && pp[j - 2] + 1 < c)
                c = pp[j - 2] + 1;
            cur[j] = c;
        }
    }
    return d[la % 3][lb];
}

/* A header name that is probably meant as `known`: the same after
 * folding case and separators, a plural, or one edit away (two for names
 * of 8 letters or more). One-letter names such as T only match by case. */
static int looks_like(const char *name, const char *known)
{
    char a[80], b[80];
    size_t la, lb, max;
    fold(name, a, sizeof a);
    fold(known, b, sizeof b);
    la = strlen(a);
    lb = strlen(b);
    if (strcmp(a, b) == 0)
        return 1;
    if ((la == lb + 1 && a[la - 1] == 's' && strncmp(a, b, lb) == 0) ||
        (lb == la + 1 && b[lb - 1] == 's' && strncmp(a, b, la) == 0))
        return 1;
    if (lb <= 2)
        return 0;
    max = lb >= 8 ? 2 : 1;
    return osa(a, b) <= max;
}

static int is_name_of(const cli_colname *k, const char *h)
{
    if (strcmp(h, k->name) == 0)
        return 1;
    for (int a = 0; a < CLI_MAX_ALIASES && k->alias[a]; a++)
        if (strcmp(h, k->alias[a]) == 0)
            return 1;
    return 0;
}

int cli_csv_col_named(const cli_csv *c, const cli_colname *k)
{
    for (size_t i = 0; i < c->nheader; i++)
        if (is_name_of(k, c->header[i]))
            return (int)i;
    return -1;
}

int cli_csv_check_columns(const cli_csv *c, const cli_colname *known,
                          int id_col)
{
    cli_csv h = *c;
    h.line = 1;
    for (size_t i = 0; i < c->nheader; i++) {
        const char *name = c->header[i];
        const cli_colname *hit = NULL, *near = NULL;
        if ((int)i == id_col)
            continue;
        for (const cli_colname *k = known; k->name; k++) {
            if (is_name_of(k, name))
                hit = k;
            else if (!near && looks_like(name, k->name))
                near = k;
        }
        if (hit) {
            for (size_t j = i + 1; j < c->nheader; j++)
                if ((int)j != id_col && is_name_of(hit, c->header[j]))
                    return cli_csv_error(&h, "columns '%s' and '%s' both "
                                             "mean '%s': keep one",
                                         name, c->header[j], hit->name);
            continue;
        }
        if (near)
            return cli_csv_error(&h, "column '%s' looks like a misspelling "
                                     "of '%s': rename it (or drop it)",
                                 name, near->name);
        fprintf(stderr, "b2b2c: %s:1: warning: column '%s' is not used\n",
                c->path, name);
    }
    return 0;
}

int cli_csv_known(const cli_csv *c, const char *const *names)
{
    cli_colname known[16];
    size_t n = 0;
    memset(known, 0, sizeof(known));
    while (names[n] && n < 15) {
        known[n].name = names[n];
        n++;
    }
    return cli_csv_check_columns(c, known, -1);
}
