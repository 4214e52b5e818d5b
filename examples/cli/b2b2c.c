/* SPDX-License-Identifier: MIT */
/* b2b2c: the command-line tool over libb2b2c. Each engine adds a
 * subcommand (a cli_command in its own file) to the table below. */
#include <string.h>

#include "cli.h"

extern const cli_command cli_cmd_segments;
extern const cli_command cli_cmd_leads;
extern const cli_command cli_cmd_dealers;
extern const cli_command cli_cmd_forecast;
extern const cli_command cli_cmd_channels;
extern const cli_command cli_cmd_experiments;
extern const cli_command cli_cmd_programs;
extern const cli_command cli_cmd_demo;
extern const cli_command cli_cmd_report;
extern const cli_command cli_cmd_params;

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const cli_command cmd_version_def = {
    "version", "print the library version",
    "usage: b2b2c version\n", cmd_version};
static const cli_command cmd_help_def = {
    "help", "list the subcommands, or explain one",
    "usage: b2b2c help [SUBCOMMAND]\n", cmd_help};

/* The subcommands, in the order `help` lists them. */
static const cli_command *const commands[] = {
    &cmd_version_def,
    &cmd_help_def,
    &cli_cmd_segments,
    &cli_cmd_leads,
    &cli_cmd_dealers,
    &cli_cmd_forecast,
    &cli_cmd_channels,
    &cli_cmd_experiments,
    &cli_cmd_programs,
    &cli_cmd_demo,
    &cli_cmd_report,
    &cli_cmd_params,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const cli_command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return cli_usage_error("version takes no arguments");
    printf("b2b2c %s (libb2b2c %s)\n", B2B2C_VERSION_STRING,
           b2b2c_version_string());
    return CLI_OK;
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 2)
        return cli_usage_error("help takes at most one subcommand");
    if (argc == 2) {
        const cli_command *c = find(argv[1]);
        if (!c)
            return cli_usage_error("unknown subcommand '%s'", argv[1]);
        printf("b2b2c %s: %s\n\n%s%s", c->name, c->summary, c->usage,
               c == &cli_cmd_leads ? cli_leads_points_usage : "");
        return CLI_OK;
    }
    printf("usage: b2b2c SUBCOMMAND [OPTIONS]\n\n"
           "B2B2C sales logic for manufacturers (libb2b2c %s).\n\n"
           "subcommands:\n",
           b2b2c_version_string());
    for (size_t i = 0; i < NCOMMANDS; i++)
        printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
    printf("\nglobal options, before or after the subcommand:\n"
           "  --db SPEC  the database the engines keep their state in:\n"
           "             memory (the default: nothing is kept after the "
           "run),\n"
           "             sqlite:FILE (WAL, waits up to 5 s for another "
           "writer),\n"
           "             postgresql:CONNINFO (a libpq conninfo or URI).\n"
           "             'leads', 'dealers route' and 'programs' keep "
           "their state\n"
           "             there;\n"
           "             'demo generate' writes a sample manufacturer "
           "into it\n"
           "             and 'report' reads it;\n"
           "             the other subcommands compute from their files "
           "and\n"
           "             refuse --db. Many runs, also at once, may share "
           "one\n"
           "             database.\n"
           "  --delimiter C       the input files' field separator: one "
           "character,\n"
           "                      or 'tab' (default ','; output is always "
           "','):\n"
           "                      --delimiter ';' for a 1C or Excel "
           "export.\n"
           "  --decimal-comma     numbers in the input are written 12,5 "
           "(a '.' is\n"
           "                      then refused, never taken as a "
           "thousands mark).\n"
           "  --date-format FMT   input dates DD.MM.YYYY, DD/MM/YYYY or "
           "MM/DD/YYYY,\n"
           "                      besides ISO YYYY-MM-DD and Unix "
           "seconds.\n"
           "  A FILE argument of '-' reads standard input; "
           "--option=value works too.\n"
           "\nb2b2c help SUBCOMMAND shows its options. Exit status: 0 ok, "
           "1 bad data, 2 usage error.\n");
    return CLI_OK;
}

int main(int argc, char **argv)
{
    const cli_command *c;
    int rc;

    if ((rc = cli_db_take(&argc, argv)) != 0)
        return rc;
    if ((rc = cli_input_take(&argc, argv)) != 0)
        return rc;
    if (argc < 2)
        return cli_usage_error("no subcommand given (try 'b2b2c help')");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, argv + 1);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv + 1);
    c = find(argv[1]);
    if (!c)
        return cli_usage_error("unknown subcommand '%s' (try 'b2b2c help')",
                               argv[1]);
    /* SUBCOMMAND [...] --help: its help, whatever else is given */
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            char *h[] = {"help", argv[1], NULL};
            return cmd_help(2, h);
        }
    return c->run(argc - 1, argv + 1);
}
