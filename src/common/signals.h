/* SPDX-License-Identifier: Apache-2.0 */
/* Signal names and numbers, as `kill` and runc spell them. */
#ifndef HAKO_COMMON_SIGNALS_H
#define HAKO_COMMON_SIGNALS_H

#include "error.h"

/* Accepts "9", "KILL", "SIGKILL", "sigkill", "RTMIN+3".  Returns the
 * number, or -1 with *ERR naming the bad value. */
int signal_parse (const char *text, struct hk_error **err);

/* "SIGTERM" for 15; NULL when the number has no name. */
const char *signal_name (int signum);

#endif
