/* SPDX-License-Identifier: Apache-2.0 */
#include "signals.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdbool.h>

static const struct
{
  const char *name;
  int number;
} signal_table[] = {
  { "HUP", SIGHUP },       { "INT", SIGINT },       { "QUIT", SIGQUIT },     { "ILL", SIGILL },
  { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },     { "IOT", SIGIOT },       { "BUS", SIGBUS },
  { "FPE", SIGFPE },       { "KILL", SIGKILL },     { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },     { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },     { "CLD", SIGCHLD },      { "CONT", SIGCONT },
  { "STOP", SIGSTOP },     { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },
  { "URG", SIGURG },       { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM },
  { "PROF", SIGPROF },     { "WINCH", SIGWINCH },   { "IO", SIGIO },         { "POLL", SIGPOLL },
  { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

static int
parse_number (const char *s, int *out)
{
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1024)
    return -1;
  *out = (int) v;
  return 0;
}

int
signal_parse (const char *text, struct hk_error **err)
{
  int n;
  if (text == NULL || *text == '\0')
    return hk_error_set (err, EINVAL, "empty signal");
  if (isdigit ((unsigned char) text[0]))
    {
      if (parse_number (text, &n) < 0 || n <= 0 || n > SIGRTMAX)
        return hk_error_set (err, EINVAL, "unknown signal `%s`", text);
      return n;
    }
  const char *name = text;
  if (strncasecmp (name, "SIG", 3) == 0)
    name += 3;
  for (size_t i = 0; i < sizeof signal_table / sizeof signal_table[0]; i++)
    if (strcasecmp (name, signal_table[i].name) == 0)
      return signal_table[i].number;
  if (strncasecmp (name, "RTMIN", 5) == 0 || strncasecmp (name, "RTMAX", 5) == 0)
    {
      bool min = strncasecmp (name, "RTMIN", 5) == 0;
      const char *off = name + 5;
      int delta = 0;
      if (*off != '\0')
        {
          if ((*off != '+' && *off != '-') || parse_number (off + 1, &delta) < 0)
            return hk_error_set (err, EINVAL, "unknown signal `%s`", text);
          if (*off == '-')
            delta = -delta;
        }
      n = (min ? SIGRTMIN : SIGRTMAX) + delta;
      if (n >= SIGRTMIN && n <= SIGRTMAX)
        return n;
    }
  return hk_error_set (err, EINVAL, "unknown signal `%s`", text);
}

const char *
signal_name (int signum)
{
  static const char *const names[] = {
    [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
    [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",     [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
    [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
    [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM", [SIGCHLD] = "SIGCHLD",
    [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP",     [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",
    [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG",       [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
    [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",   [SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",
    [SIGSYS] = "SIGSYS",   [SIGVTALRM] = "SIGVTALRM", [SIGSTKFLT] = "SIGSTKFLT",
  };
  if (signum <= 0 || (size_t) signum >= sizeof names / sizeof names[0])
    return NULL;
  return names[signum];
}
