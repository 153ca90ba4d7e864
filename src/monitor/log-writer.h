/* SPDX-License-Identifier: Apache-2.0 */
/* The json-file log of a container, as Docker writes it: one JSON object a
 * line, {"log": "text\n", "stream": "stdout", "time": RFC 3339 nanos},
 * rotated to FILE.1 ... FILE.N when it reaches its size limit. */
#ifndef HAKO_MONITOR_LOG_WRITER_H
#define HAKO_MONITOR_LOG_WRITER_H

#include <stddef.h>
#include <stdint.h>

struct log_writer
{
  char *path;
  int fd;
  uint64_t size;
  uint64_t max_size;  /* 0: unlimited */
  unsigned max_files; /* files kept, the current one included */
  /* A partial line of each stream waits for its newline (or 16 KiB). */
  char *pending[3];
  size_t pending_len[3];
  char *escaped; /* a line's JSON text, made once */
};

int log_writer_open (struct log_writer *w, const char *path, uint64_t max_size, unsigned max_files);

/* Appends DATA of STREAM (1 stdout, 2 stderr) as complete lines. */
void log_writer_write (struct log_writer *w, int stream, const char *data, size_t len);

void log_writer_close (struct log_writer *w);

#endif
