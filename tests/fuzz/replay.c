/* SPDX-License-Identifier: MIT */
/* Replays fuzz corpora as a cmocka test: every file in the directories given
 * on the command line goes through the fuzz target FUZZ_FN (compiled once
 * per target). With FUZZ_SEEDS, `--make-seeds DIR` writes seed inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#ifndef FUZZ_FN
#  define FUZZ_FN b2b2c_fuzz_record
#endif
int FUZZ_FN(const uint8_t *data, size_t size);
#ifdef FUZZ_SEEDS
int FUZZ_SEEDS(int (*emit)(const uint8_t *, size_t, void *), void *payload);

static int write_seed(const uint8_t *p, size_t n, void *payload)
{
    static int count;
    char path[4096];
    FILE *f;
    snprintf(path, sizeof(path), "%s/seed-%03d", (const char *)payload,
             count++);
    f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        if (f)
            fclose(f);
        return -1;
    }
    return fclose(f) ? -1 : 0;
}
#endif

static char **dirs;
static int ndirs;

static void t_replay(void **state)
{
    size_t files = 0;
    (void)state;
    for (int d = 0; d < ndirs; d++) {
        DIR *dir = opendir(dirs[d]);
        struct dirent *e;
        assert_non_null(dir);
        while ((e = readdir(dir)) != NULL) {
            char path[4096];
            unsigned char buf[65536];
            size_t n;
            FILE *f;
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", dirs[d], e->d_name);
            f = fopen(path, "rb");
            assert_non_null(f);
            n = fread(buf, 1, sizeof(buf), f);
            fclose(f);
            assert_int_equal(FUZZ_FN(buf, n), 0);
            files++;
        }
        closedir(dir);
    }
    assert_true(files > 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_replay)};
#ifdef FUZZ_SEEDS
    if (argc == 3 && strcmp(argv[1], "--make-seeds") == 0)
        return FUZZ_SEEDS(write_seed, argv[2]) ? 1 : 0;
#endif
    dirs = argv + 1;
    ndirs = argc - 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
