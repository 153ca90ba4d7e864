/* SPDX-License-Identifier: Apache-2.0 */
/* Per-blob progress of a pull or push: on a terminal, one line per blob
 * redrawn in place with a bar; otherwise a plain line at each change of
 * state (no bars in logs). */
#ifndef HAKO_TRANSFER_PROGRESS_H
#define HAKO_TRANSFER_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress;

/* OUT NULL: silent. */
struct progress *progress_new (FILE *out, bool tty);
void progress_free (struct progress *p);

/* Adds a line for ID ("sha256:…", shown as 12 hex digits); returns its
 * index. */
size_t progress_add (struct progress *p, const char *id, const char *status);
/* A new state ("Downloading", "Extracting", "Pull complete"). */
void progress_status (struct progress *p, size_t line, const char *status);
/* Bytes so far of TOTAL (0 when unknown); redraws at most ten times a
 * second. */
void progress_bytes (struct progress *p, size_t line, uint64_t done, uint64_t total);
/* Draws the final state. */
void progress_finish (struct progress *p);

#endif
