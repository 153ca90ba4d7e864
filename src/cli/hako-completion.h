/* SPDX-License-Identifier: Apache-2.0 */
/* The shell completion scripts of docs/completion, compiled into hako by
 * docs/completion/embed.py. */
#ifndef HAKO_CLI_HAKO_COMPLETION_H
#define HAKO_CLI_HAKO_COMPLETION_H

struct completion_script
{
  const char *shell; /* "bash", "zsh", "fish" */
  const char *text;
};

/* Ends with an entry whose shell is NULL. */
extern const struct completion_script completion_scripts[];

#endif
