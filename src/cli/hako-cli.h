/* SPDX-License-Identifier: Apache-2.0 */
/* The `hako` command line: tables of commands, each a function in a file
 * of its group (hako-image.c, hako-container.c, …), listed in hako.c; the
 * commands that need libcurl or libarchive are in hako-transfer
 * (transfer-commands.h). */
#ifndef HAKO_CLI_HAKO_CLI_H
#define HAKO_CLI_HAKO_CLI_H

#include "common/error.h"
#include "common/log.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct store;
struct registries_conf;
struct engine;

/* What the global options decided, and what commands share. */
struct hako_cli
{
  const char *root;    /* --root, the image store and engine data */
  const char *runroot; /* --runroot */
  char *default_root, *default_runroot; /* owned: the defaults (cli-paths.h), when used */
  struct hk_log log;
  struct store *store; /* opened on first use by cli_store() */
  struct registries_conf *registries;
  struct engine *engine; /* opened on first use by cli_engine() */
  bool stdout_is_tty;
  bool stderr_is_tty;
  char **argv; /* our whole command line, for a re-execution from a sealed copy */
  char **rootless_argv; /* owned: argv with the paths, when rootless */
};

typedef int (*hako_command_fn) (struct hako_cli *cli, int argc, char **argv, struct hk_error **err);

struct hako_command
{
  const char *group; /* "image", "system", …; NULL for a top-level command */
  const char *name;
  hako_command_fn fn;
  const char *usage; /* arguments, for `--help` and usage errors */
  const char *summary;
  bool hidden;    /* an alias: not listed in `hako --help` */
  bool raw_args;  /* arguments after the first operand are not ours (run, exec) */
  bool top_level; /* also `hako NAME`, as Docker has `docker run` for `docker container run` */
};

/* Tables end with an entry whose name is NULL. */
extern const struct hako_command hako_image_commands[];
extern const struct hako_command hako_system_commands[];
extern const struct hako_command hako_system_prune_commands[];
extern const struct hako_command hako_system_info_commands[];
extern const struct hako_command hako_container_commands[];
extern const struct hako_command hako_container_info_commands[];
extern const struct hako_command hako_container_control_commands[];
extern const struct hako_command hako_container_checkpoint_commands[];
extern const struct hako_command hako_container_stats_commands[];
extern const struct hako_command hako_volume_commands[];
extern const struct hako_command hako_network_commands[];
extern const struct hako_command hako_exec_commands[];
extern const struct hako_command hako_pod_commands[];
extern const struct hako_command hako_kube_commands[];
extern const struct hako_command hako_explain_commands[];
extern const struct hako_command hako_events_commands[];
extern const struct hako_command hako_completion_commands[];
extern const struct hako_command hako_compose_commands[];

/* hako's own failures exit with 125, as Docker's do. */
#define EXIT_HAKO_ERROR 125

/* The main function of hako and hako-transfer (cli-main.c): global options,
 * then the command looked up in TABLES (a NULL-terminated list). */
int cli_main (int argc, char **argv, const struct hako_command *const *tables);

/* The command of a transfer-commands.h entry in `hako`: runs hako-transfer
 * ($HAKO_TRANSFER, or the one next to us) with our whole command line. */
int cli_delegate (struct hako_cli *cli, int argc, char **argv, struct hk_error **err);

/* The engine over the store, opened once (cli-engine.c). */
int cli_engine (struct hako_cli *cli, struct engine **out, struct hk_error **err);
void cli_engine_close (struct hako_cli *cli);

struct ctr_record;
typedef int (*cli_container_fn) (struct engine *e, struct ctr_record *r, void *data,
                                 struct hk_error **err);

/* Runs FN on every container named in ARGV[OPTIND..] (each found by name,
 * ID or ID prefix); the first error is returned after the others were
 * tried and reported, as Docker does.  PRINT_NAME echoes each name done. */
int cli_each_container (struct hako_cli *cli, int argc, char **argv, const char *command,
                        const char *usage, cli_container_fn fn, void *data, bool print_name,
                        struct hk_error **err);

/* Records the event ACTION of the TYPE object ID named NAME in the event
 * log (common/event-log.h): image, volume, network and pod events of
 * commands that the engine does not see. */
void cli_event (struct hako_cli *cli, const char *type, const char *action, const char *id,
                const char *name);

/* The store at --root, opened once. */
int cli_store (struct hako_cli *cli, struct store **out, struct hk_error **err);
/* The registries configuration ($HAKO_REGISTRIES_CONF or
 * /etc/hako/registries.json), loaded once. */
int cli_registries (struct hako_cli *cli, struct registries_conf **out, struct hk_error **err);

/* The command NAME of GROUP (NULL: top level) in the program's tables. */
const struct hako_command *cli_find_command (const char *group, const char *name);
/* The command words completion offers after `hako` (GROUP NULL: each
 * top-level command and group) or after `hako GROUP`, once each. */
void cli_print_command_words (const char *group);

struct pod_create_request;
/* pod create's flags (hako-pod.c), also run's --pod new:NAME. */
void pod_request_init (struct pod_create_request *req);
void pod_request_clear (struct pod_create_request *req);
int pod_options_parse (int argc, char **argv, struct pod_create_request *req,
                       struct hk_error **err);

/* "usage: hako GROUP NAME USAGE" with WHY first. */
int cli_usage (struct hk_error **err, const char *command, const char *usage, const char *why);
/* The one-line error for the option getopt_long just refused in ARGV of
 * `hako COMMAND` (NULL: hako's global options); returns -1. */
int cli_bad_option (struct hk_error **err, const char *command, char **argv);
/* For a command without options: fails as cli_bad_option for an option
 * before the first operand of ARGV; returns 0 and sets optind else. */
int cli_no_options (int argc, char **argv, const char *command, struct hk_error **err);
/* Prints the command's help to stdout when ARGV has -h/--help first. */
bool cli_wants_help (int argc, char **argv, const char *command, const char *usage,
                     const char *summary);

struct store_image;
/* Prints an image `image prune` or `system prune` removed, after a
 * "Deleted Images:" header the first time (*(bool *) DATA tells). */
void cli_print_pruned_image (const struct store_image *img, void *data);

/* Output helpers (cli-output.c). */
char *cli_human_size (uint64_t bytes);        /* "4.26MB", as Docker writes it */
/* BYTES with DIGITS significant digits, in powers of 1000 ("4.3kB") or,
 * BINARY, of 1024 ("1.465MiB"): Docker's two ways of writing sizes. */
char *cli_size_text (uint64_t bytes, bool binary, int digits);
char *cli_human_since (int64_t unix_time);    /* "3 weeks ago" */
char *cli_human_duration (int64_t seconds);   /* "About a minute" */
int64_t cli_parse_time (const char *rfc3339); /* 0 when unparsable */
char *cli_short_id (const char *id);          /* 12 hex digits */

struct ctr_record;
/* A container as ps shows it (hako-container-info.c): its command, its
 * status ("Up 5 seconds (healthy)") and its published ports. */
char *cli_container_command (const struct ctr_record *r);
char *cli_container_status (struct engine *e, const struct ctr_record *r);
char *cli_container_ports (struct engine *e, const struct ctr_record *r);

struct cli_table;
struct cli_table *cli_table_new (const char *const *headers);
void cli_table_add (struct cli_table *t, const char *const *cells);
void cli_table_print (struct cli_table *t, FILE *out);
void cli_table_free (struct cli_table *t);

/* Expands a Go-template-like FORMAT ("{{.ID}}\t{{.Repository}}",
 * "{{json .}}", "{{json .Config.Env}}") over OBJ.  Supports field paths,
 * `json` and `\t`/`\n`.  Returns the text, or NULL with *ERR. */
char *cli_format_template (const char *format, json_t *obj, struct hk_error **err);

/* The options of an `inspect` command: -f/--format FORMAT, then at least
 * one operand (MISSING says what lacks). */
int cli_inspect_options (int argc, char **argv, const char *command, const char *usage,
                         const char *missing, const char **format, struct hk_error **err);

/* What every `inspect` prints: the array DOCS as indented JSON, or each
 * document through FORMAT (-f). */
int cli_print_inspect (json_t *docs, const char *format, struct hk_error **err);

#endif
