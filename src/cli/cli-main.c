/* SPDX-License-Identifier: Apache-2.0 */
/* What hako and hako-transfer share: the global options, then a command
 * looked up in the program's tables; everything else lives in the group
 * files and the libraries. */
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "cli-help.h"
#include "cli-option-error.h"
#include "cli-paths.h"
#include "cli-rootless.h"
#include "hako-cli.h"
#include "store/registries-conf.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The tables of the program that runs (cli_main sets them). */
static const struct hako_command *const *command_tables;

/* `hako __options COMMAND`: the options COMMAND's getopt accepts, for
 * cli-options.bats to compare with its documentation (docs/man). */
static bool dump_options;

/* The short options of the last getopt call, and the command as it was
 * typed ("image ls" for images), for cli_bad_option. */
static const char *last_shortopts;
static const char *typed_command;

static void
print_options (const char *shortopts, const struct option *longopts)
{
  for (const char *s = shortopts; *s; s++)
    if (*s != ':' && *s != '+' && *s != '-')
      printf ("-%c\n", *s);
  for (const struct option *o = longopts; o && o->name; o++)
    printf ("--%s\n", o->name);
  fflush (stdout);
  _exit (0);
}

/* The linker sends the commands' getopt calls here (-Wl,--wrap). */
int __real_getopt_long (int argc, char *const *argv, const char *shortopts,
                        const struct option *longopts, int *longind);
int __wrap_getopt_long (int argc, char *const *argv, const char *shortopts,
                        const struct option *longopts, int *longind);
int __real_getopt (int argc, char *const *argv, const char *shortopts);
int __wrap_getopt (int argc, char *const *argv, const char *shortopts);

int
__wrap_getopt_long (int argc, char *const *argv, const char *shortopts,
                    const struct option *longopts, int *longind)
{
  if (dump_options)
    print_options (shortopts, longopts);
  last_shortopts = shortopts;
  return __real_getopt_long (argc, argv, shortopts, longopts, longind);
}

int
__wrap_getopt (int argc, char *const *argv, const char *shortopts)
{
  if (dump_options)
    print_options (shortopts, NULL);
  last_shortopts = shortopts;
  return __real_getopt (argc, argv, shortopts);
}

/* COMMAND's help from its docs/man source, or NULL when it has none. */
static const char *
documented_help (const char *command)
{
  for (const struct cli_help *h = cli_helps; h->command; h++)
    if (strcmp (h->command, command) == 0)
      return h->text;
  return NULL;
}

bool
cli_print_help (const char *command)
{
  const char *text = documented_help (command);
  if (text != NULL)
    fputs (text, stdout);
  return text != NULL;
}

static void
usage (FILE *out)
{
  fputs (cli_main_help, out);
}

/* `hako __commands`: the commands `hako --help` should list, as typed,
 * for cli-docs.bats to compare with the documented ones. */
static void
print_commands (void)
{
  for (size_t t = 0; command_tables[t]; t++)
    for (const struct hako_command *c = command_tables[t]; c->name; c++)
      if (!c->hidden)
        {
          bool grouped = c->group != NULL && !c->top_level;
          printf ("%s%s%s\n", grouped ? c->group : "", grouped ? " " : "", c->name);
        }
}

/* The word a visible command adds to hako's (GROUP NULL) or GROUP's
 * commands for completion, or NULL when it adds none there. */
static const char *
command_word (const struct hako_command *c, const char *group)
{
  if (c->hidden)
    return NULL;
  if (group != NULL)
    return c->group != NULL && strcmp (c->group, group) == 0 ? c->name : NULL;
  return c->group != NULL && !c->top_level ? c->group : c->name;
}

void
cli_print_command_words (const char *group)
{
  const char *printed[512];
  size_t n = 0;
  for (size_t t = 0; command_tables[t]; t++)
    for (const struct hako_command *c = command_tables[t]; c->name; c++)
      {
        const char *word = command_word (c, group);
        bool seen = word == NULL;
        for (size_t i = 0; i < n && !seen; i++)
          seen = strcmp (printed[i], word) == 0;
        if (seen)
          continue;
        if (n < sizeof printed / sizeof *printed)
          printed[n++] = word;
        printf ("%s\n", word);
      }
}

const struct hako_command *
cli_find_command (const char *group, const char *name)
{
  for (size_t t = 0; command_tables[t]; t++)
    for (const struct hako_command *c = command_tables[t]; c->name; c++)
      {
        bool same_group = group == NULL ? c->group == NULL || c->top_level
                                        : (c->group != NULL && strcmp (c->group, group) == 0);
        if (same_group && strcmp (c->name, name) == 0)
          return c;
      }
  return NULL;
}

static bool
is_group (const char *name)
{
  for (size_t t = 0; command_tables[t]; t++)
    for (const struct hako_command *c = command_tables[t]; c->name; c++)
      if (c->group && strcmp (c->group, name) == 0)
        return true;
  return false;
}

int
cli_usage (struct hk_error **err, const char *command, const char *usage_text, const char *why)
{
  return hk_error_set (err, EINVAL, "%s\nusage: hako %s %s", why, command, usage_text);
}

int
cli_bad_option (struct hk_error **err, const char *command, char **argv)
{
  /* an alias is named as typed; compose's subcommands by their code */
  size_t n = typed_command ? strlen (typed_command) : 0;
  if (command != NULL && typed_command != NULL
      && !(strncmp (command, typed_command, n) == 0 && command[n] == ' '))
    command = typed_command;
  _cleanup_free_ char *full = command ? xasprintf ("hako %s", command) : xstrdup ("hako");
  return cli_option_error (err, full, full, last_shortopts, argv);
}

int
cli_no_options (int argc, char **argv, const char *command, struct hk_error **err)
{
  static const struct option none[] = { { NULL, 0, NULL, 0 } };
  /* '+': what follows the first operand is not ours (top's ps options) */
  if (getopt_long (argc, argv, "+", none, NULL) != -1)
    return cli_bad_option (err, command, argv);
  return 0;
}

bool
cli_wants_help (int argc, char **argv, const char *command, const char *usage_text,
                const char *summary)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        break;
      if (strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "--help") == 0)
        {
          if (!cli_print_help (command))
            printf ("usage: hako %s %s\n\n%s\n", command, usage_text, summary);
          return true;
        }
    }
  return false;
}

int
cli_store (struct hako_cli *cli, struct store **out, struct hk_error **err)
{
  if (cli->store == NULL && store_open (cli->root, &cli->log, &cli->store, err) < 0)
    return -1;
  *out = cli->store;
  return 0;
}

int
cli_registries (struct hako_cli *cli, struct registries_conf **out, struct hk_error **err)
{
  if (cli->registries == NULL)
    {
      const char *path = getenv ("HAKO_REGISTRIES_CONF");
      if (registries_conf_load (path && *path ? path : REGISTRIES_CONF_DEFAULT, &cli->registries,
                                err)
          < 0)
        return -1;
    }
  *out = cli->registries;
  return 0;
}

static int
parse_log_level (const char *text, enum hk_log_level *out)
{
  static const char *const names[] = { "error", "warning", "info", "debug" };
  for (int i = 0; i < 4; i++)
    if (strcasecmp (text, names[i]) == 0)
      {
        *out = (enum hk_log_level)i;
        return 0;
      }
  if (strcasecmp (text, "warn") == 0)
    {
      *out = HK_LOG_WARNING;
      return 0;
    }
  return -1;
}

/* --root and --runroot where not given: the user's (cli-paths.h). */
static int
default_paths (struct hako_cli *cli, struct hk_error **err)
{
  uid_t uid = geteuid ();
  if (cli->root == NULL)
    {
      if (cli_default_root (uid, &cli->default_root, err) < 0)
        return -1;
      cli->root = cli->default_root;
    }
  if (cli->runroot == NULL)
    {
      bool fallback;
      if (cli_default_runroot (uid, &cli->default_runroot, &fallback, err) < 0)
        return -1;
      cli->runroot = cli->default_runroot;
      if (fallback)
        hk_warn (&cli->log, "XDG_RUNTIME_DIR is not set: the run state goes to %s, which a "
                            "reboot may not clear",
                 cli->runroot);
    }
  return 0;
}

/* ARGV with --root ROOT --runroot RUNROOT after the program's name. */
static char **
with_paths (char **argv, const char *root, const char *runroot)
{
  size_t n = 0;
  while (argv[n] != NULL)
    n++;
  char **out = xreallocarray (NULL, n + 5, sizeof *out);
  out[0] = argv[0];
  out[1] = (char *)"--root";
  out[2] = (char *)root;
  out[3] = (char *)"--runroot";
  out[4] = (char *)runroot;
  memcpy (out + 5, argv + 1, n * sizeof *out); /* with the NULL */
  return out;
}

static int
run (struct hako_cli *cli, int argc, char **argv, struct hk_error **err)
{
  static const struct option options[] = {
    { "root", required_argument, NULL, 'r' },
    { "runroot", required_argument, NULL, 'R' },
    { "log-level", required_argument, NULL, 'l' },
    { "debug", no_argument, NULL, 'D' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  /* '+': stop at the command name; its options are its own. */
  while ((c = getopt_long (argc, argv, "+hvD", options, NULL)) != -1)
    switch (c)
      {
      case 'r':
        cli->root = optarg;
        break;
      case 'R':
        cli->runroot = optarg;
        break;
      case 'l':
        if (parse_log_level (optarg, &cli->log.level) < 0)
          return hk_error_set (err, EINVAL,
                               "--log-level `%s`: expected error, warning, info or "
                               "debug",
                               optarg);
        break;
      case 'D':
        cli->log.level = HK_LOG_DEBUG;
        break;
      case 'h':
        usage (stdout);
        return 0;
      case 'v':
        printf ("hako version %s\n", HAKO_VERSION);
        return 0;
      default:
        return cli_bad_option (err, NULL, argv);
      }
  if (optind >= argc)
    {
      usage (stderr);
      return hk_error_set (err, EINVAL, "missing command");
    }
  char **args = argv + optind;
  int nargs = argc - optind;
  if (nargs == 1 && strcmp (args[0], "__commands") == 0)
    {
      print_commands ();
      return 0;
    }
  if (nargs > 1 && strcmp (args[0], "__options") == 0)
    {
      dump_options = true;
      args++;
      nargs--;
    }
  const struct hako_command *cmd = NULL;
  _cleanup_free_ char *name = NULL;
  if (is_group (args[0]))
    {
      if (nargs < 2 || strcmp (args[1], "--help") == 0 || strcmp (args[1], "-h") == 0)
        {
          usage (nargs < 2 ? stderr : stdout);
          return nargs < 2 ? hk_error_set (err, EINVAL, "`hako %s` needs a subcommand", args[0])
                           : 0;
        }
      cmd = cli_find_command (args[0], args[1]);
      if (cmd == NULL)
        return hk_error_set (err, EINVAL, "unknown command `hako %s %s` (see `hako --help`)",
                             args[0], args[1]);
      name = xasprintf ("%s %s", args[0], args[1]);
      args++;
      nargs--;
    }
  else
    {
      cmd = cli_find_command (NULL, args[0]);
      if (cmd == NULL)
        return hk_error_set (err, EINVAL, "unknown command `%s` (see `hako --help`)", args[0]);
      name = xstrdup (args[0]);
    }
  /* run and exec pass what follows the image to the container: only
   * their own getopt may see a -h, and --help only right after them.
   * A command typed in its group (`container run`) answers with its
   * top-level name's help, unless its source names it as typed (an
   * ALIAS: `system info`); without a source, the usage line names the
   * command as typed. */
  bool canonical_help = cmd->top_level && documented_help (name) == NULL
                        && documented_help (cmd->name) != NULL;
  const char *help_name = canonical_help ? cmd->name : name;
  if (cmd->raw_args && nargs > 1 && strcmp (args[1], "--help") == 0)
    {
      if (!cli_print_help (help_name))
        printf ("usage: hako %s %s\n\n%s\n", name, cmd->usage, cmd->summary);
      return 0;
    }
  if (!cmd->raw_args && cli_wants_help (nargs, args, help_name, cmd->usage, cmd->summary))
    return 0;
  if (default_paths (cli, err) < 0)
    return -1;
  /* a normal user: into its user namespace, with the paths chosen as it;
   * our command line, run again (hako-transfer, a sealed copy), names
   * them, or as root there it would choose root's */
  if (geteuid () != 0)
    {
      if (cli_rootless_enter (cli->runroot, &cli->log, err) < 0)
        return -1;
      cli->argv = cli->rootless_argv = with_paths (cli->argv, cli->root, cli->runroot);
    }
  typed_command = name;
  optind = 0; /* the command's getopt starts afresh */
  return cmd->fn (cli, nargs, args, err);
}

int
cli_main (int argc, char **argv, const struct hako_command *const *tables)
{
  command_tables = tables;
  opterr = 0; /* cli_bad_option says what getopt refused, in one line */
  struct hako_cli cli = {
    .log = HK_LOG_INIT,
    .stdout_is_tty = isatty (1),
    .stderr_is_tty = isatty (2),
    .argv = argv,
  };
  _cleanup_error_ struct hk_error *err = NULL;
  int r = run (&cli, argc, argv, &err);
  fflush (stdout);
  cli_engine_close (&cli);
  store_close (cli.store);
  registries_conf_free (cli.registries);
  free (cli.default_root);
  free (cli.default_runroot);
  free (cli.rootless_argv);
  if (r < 0)
    {
      fprintf (stderr, "Error: %s\n", err ? err->message : "unknown error");
      return EXIT_HAKO_ERROR;
    }
  /* Commands that run a program (run, exec, start -a, wait) return its
   * status. */
  return r;
}
