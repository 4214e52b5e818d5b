/* Replays fuzz corpora as a cmocka test: every file in the directories given
 * on the command line goes through the fuzz target. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

int b2b2c_fuzz_record(const uint8_t *data, size_t size);

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
            assert_int_equal(b2b2c_fuzz_record(buf, n), 0);
            files++;
        }
        closedir(dir);
    }
    assert_true(files > 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(t_replay)};
    dirs = argv + 1;
    ndirs = argc - 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
