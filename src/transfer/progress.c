/* SPDX-License-Identifier: Apache-2.0 */
#include "progress.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <string.h>
#include <time.h>

#define BAR_WIDTH 40

struct line
{
  char id[16];
  char *status;
  uint64_t done;
  uint64_t total;
};

struct progress
{
  FILE *out;
  bool tty;
  struct line *lines;
  size_t n;
  size_t drawn; /* lines on screen, for moving back up */
  double last_draw;
};

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress *
progress_new (FILE *out, bool tty)
{
  struct progress *p = xzalloc (sizeof *p);
  p->out = out;
  p->tty = tty;
  return p;
}

void
progress_free (struct progress *p)
{
  if (p == NULL)
    return;
  for (size_t i = 0; i < p->n; i++)
    free (p->lines[i].status);
  free (p->lines);
  free (p);
}

static void
human (uint64_t v, char *buf, size_t size)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
  double d = (double)v;
  size_t u = 0;
  while (d >= 1000.0 && u < 4)
    {
      d /= 1000.0;
      u++;
    }
  snprintf (buf, size, "%.3g%s", d, units[u]);
}

static void
draw_line (struct progress *p, const struct line *l)
{
  fprintf (p->out, "\033[2K%s: %s", l->id, l->status);
  /* A bar only while bytes move; the final states stand alone. */
  bool moving = strcmp (l->status, "Downloading") == 0 || strcmp (l->status, "Pushing") == 0;
  if (moving && l->total > 0 && l->done < l->total && l->done > 0)
    {
      int fill = (int)((double)l->done / (double)l->total * BAR_WIDTH);
      char bar[BAR_WIDTH + 1];
      for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
      bar[BAR_WIDTH] = '\0';
      char a[16], b[16];
      human (l->done, a, sizeof a);
      human (l->total, b, sizeof b);
      fprintf (p->out, " [%s] %s/%s", bar, a, b);
    }
  fputc ('\n', p->out);
}

static void
redraw (struct progress *p, bool force)
{
  if (p->out == NULL || !p->tty)
    return;
  double t = now ();
  if (!force && t - p->last_draw < 0.1)
    return;
  p->last_draw = t;
  if (p->drawn > 0)
    fprintf (p->out, "\033[%zuA", p->drawn);
  for (size_t i = 0; i < p->n; i++)
    draw_line (p, &p->lines[i]);
  p->drawn = p->n;
  fflush (p->out);
}

size_t
progress_add (struct progress *p, const char *id, const char *status)
{
  p->lines = xreallocarray (p->lines, p->n + 1, sizeof *p->lines);
  struct line *l = &p->lines[p->n];
  memset (l, 0, sizeof *l);
  const char *hex = strncmp (id, "sha256:", 7) == 0 ? id + 7 : id;
  snprintf (l->id, sizeof l->id, "%.12s", hex);
  l->status = xstrdup (status);
  if (p->out && !p->tty)
    fprintf (p->out, "%s: %s\n", l->id, status);
  return p->n++;
}

void
progress_status (struct progress *p, size_t line, const char *status)
{
  struct line *l = &p->lines[line];
  if (strcmp (l->status, status) == 0)
    return;
  free (l->status);
  l->status = xstrdup (status);
  if (p->out && !p->tty)
    {
      fprintf (p->out, "%s: %s\n", l->id, status);
      fflush (p->out);
    }
  redraw (p, true);
}

void
progress_bytes (struct progress *p, size_t line, uint64_t done, uint64_t total)
{
  p->lines[line].done = done;
  p->lines[line].total = total;
  redraw (p, false);
}

void
progress_finish (struct progress *p)
{
  redraw (p, true);
  if (p->out)
    fflush (p->out);
}
