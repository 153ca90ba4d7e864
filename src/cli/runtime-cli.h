/* SPDX-License-Identifier: Apache-2.0 */
/* hako-runtime's command line: runc/crun compatible.  Each verb parses its
 * own options and calls the runtime library. */
#ifndef HAKO_CLI_RUNTIME_CLI_H
#define HAKO_CLI_RUNTIME_CLI_H

#include "common/error.h"
#include "common/log.h"
#include "runtime/container.h"

struct cli
{
  struct runtime_context rt;
  struct hk_log log;
  const char *argv0;
  char **argv; /* the full command line, for re-execution */
  const char *criu; /* --criu: the criu program (NULL: "criu" from $PATH) */
};

/* A verb: returns the process exit status, or -1 with *ERR set (exit 1). */
typedef int (*verb_fn) (struct cli *cli, int argc, char **argv, struct hk_error **err);

int verb_create (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_run (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_exec (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_ps (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_update (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_events (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_checkpoint (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_restore (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_start (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_kill (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_delete (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_pause (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_resume (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_state (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_list (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_features (struct cli *cli, int argc, char **argv, struct hk_error **err);
int verb_spec (struct cli *cli, int argc, char **argv, struct hk_error **err);

/* Prints "usage: hako-runtime VERB USAGE" and the error for a bad command
 * line; returns -1. */
int cli_usage_error (struct hk_error **err, const char *verb, const char *usage, const char *why);

/* The one-line error for the option getopt_long just refused in ARGV of
 * `hako-runtime VERB`; returns -1. */
int cli_bad_runtime_option (struct hk_error **err, const char *verb, char **argv);

/* The single positional argument (the container id) after options. */
int cli_one_id (int argc, char **argv, const char *verb, const char *usage, const char **id,
                struct hk_error **err);

/* Prints E on stderr (and to the --log file). */
void cli_report_error (const struct cli *cli, const struct hk_error *e);

/* Writes TEXT to stdout. */
int cli_print (const char *text, struct hk_error **err);

/* `hako-runtime --help`, generated from docs/man/hako-runtime.txt. */
extern const char runtime_help[];

#endif
