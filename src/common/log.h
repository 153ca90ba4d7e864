/* SPDX-License-Identifier: Apache-2.0 */
/* Diagnostics for operators: to stderr, or to a file in runc's text or JSON
 * line format (containerd reads the JSON form when a runtime fails).  The
 * CLI owns the `struct hk_log`; libraries receive a pointer to it. */
#ifndef HAKO_COMMON_LOG_H
#define HAKO_COMMON_LOG_H

#include <stdbool.h>

enum hk_log_level
{
  HK_LOG_ERROR,
  HK_LOG_WARNING,
  HK_LOG_INFO,
  HK_LOG_DEBUG,
};

enum hk_log_format
{
  HK_LOG_TEXT,
  HK_LOG_JSON,
};

struct hk_log
{
  int fd;                    /* where messages go; stderr by default */
  enum hk_log_format format; /* for a --log file */
  enum hk_log_level level;   /* messages above it are dropped */
  bool also_stderr;          /* errors also to stderr when fd is a file */
};

#define HK_LOG_INIT { .fd = 2, .format = HK_LOG_TEXT, .level = HK_LOG_WARNING, .also_stderr = false }

void hk_log (const struct hk_log *log, enum hk_log_level level, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

#define hk_debug(log, ...) hk_log ((log), HK_LOG_DEBUG, __VA_ARGS__)
#define hk_warn(log, ...) hk_log ((log), HK_LOG_WARNING, __VA_ARGS__)

#endif
