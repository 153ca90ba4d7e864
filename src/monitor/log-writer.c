/* SPDX-License-Identifier: Apache-2.0 */
#include "log-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 16384

int
log_writer_open (struct log_writer *w, const char *path, uint64_t max_size, unsigned max_files)
{
  memset (w, 0, sizeof *w);
  w->path = strdup (path);
  w->max_size = max_size;
  w->max_files = max_files == 0 ? 1 : max_files;
  w->fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (w->fd < 0 || w->path == NULL)
    return -1;
  struct stat st;
  if (fstat (w->fd, &st) == 0)
    w->size = (uint64_t) st.st_size;
  return 0;
}

/* JSON-escapes LEN bytes of TEXT into OUT (at least 6*LEN+1 bytes). */
static size_t
log_json_escape (const char *text, size_t len, char *out)
{
  size_t o = 0;
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) text[i];
      switch (c)
        {
        case '"':
          out[o++] = '\\';
          out[o++] = '"';
          break;
        case '\\':
          out[o++] = '\\';
          out[o++] = '\\';
          break;
        case '\n':
          out[o++] = '\\';
          out[o++] = 'n';
          break;
        case '\r':
          out[o++] = '\\';
          out[o++] = 'r';
          break;
        case '\t':
          out[o++] = '\\';
          out[o++] = 't';
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            o += (size_t) sprintf (out + o, "\\u%04x", c);
          else
            out[o++] = (char) c; /* UTF-8 passes as it is */
        }
    }
  out[o] = '\0';
  return o;
}

static void
rotate (struct log_writer *w)
{
  if (w->max_files <= 1)
    {
      /* Nothing kept: start the file over. */
      if (ftruncate (w->fd, 0) == 0)
        w->size = 0;
      return;
    }
  char from[4096], to[4096];
  for (unsigned i = w->max_files - 1; i >= 1; i--)
    {
      if (i == 1)
        snprintf (from, sizeof from, "%s", w->path);
      else
        snprintf (from, sizeof from, "%s.%u", w->path, i - 1);
      snprintf (to, sizeof to, "%s.%u", w->path, i);
      rename (from, to);
    }
  close (w->fd);
  w->fd = open (w->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  w->size = 0;
}

static void
write_line (struct log_writer *w, int stream, const char *text, size_t len)
{
  if (w->escaped == NULL && (w->escaped = malloc (6 * MAX_LINE + 1)) == NULL)
    return;
  char *escaped = w->escaped;
  char stamp[64];
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  size_t n = strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (stamp + n, sizeof stamp - n, ".%09ldZ", ts.tv_nsec);
  log_json_escape (text, len, escaped);
  char *line = NULL;
  int l = asprintf (&line, "{\"log\":\"%s\",\"stream\":\"%s\",\"time\":\"%s\"}\n", escaped,
                    stream == 2 ? "stderr" : "stdout", stamp);
  if (l < 0)
    return;
  if (w->max_size > 0 && w->size > 0 && w->size + (uint64_t) l > w->max_size)
    rotate (w);
  if (w->fd >= 0 && write (w->fd, line, (size_t) l) == l)
    w->size += (uint64_t) l;
  free (line);
}

void
log_writer_write (struct log_writer *w, int stream, const char *data, size_t len)
{
  int s = stream == 2 ? 2 : 1;
  while (len > 0)
    {
      const char *nl = memchr (data, '\n', len);
      size_t take = nl ? (size_t) (nl - data) + 1 : len;
      size_t have = w->pending_len[s];
      if (have + take > MAX_LINE)
        take = MAX_LINE - have;
      w->pending[s] = realloc (w->pending[s], have + take);
      if (w->pending[s] == NULL)
        return;
      memcpy (w->pending[s] + have, data, take);
      w->pending_len[s] = have + take;
      if (w->pending[s][w->pending_len[s] - 1] == '\n' || w->pending_len[s] == MAX_LINE)
        {
          write_line (w, s, w->pending[s], w->pending_len[s]);
          w->pending_len[s] = 0;
        }
      data += take;
      len -= take;
    }
}

/* Writes what is left of partial lines. */
static void
log_writer_flush (struct log_writer *w)
{
  for (int s = 1; s <= 2; s++)
    if (w->pending_len[s] > 0)
      {
        write_line (w, s, w->pending[s], w->pending_len[s]);
        w->pending_len[s] = 0;
      }
}

void
log_writer_close (struct log_writer *w)
{
  log_writer_flush (w);
  if (w->fd >= 0)
    close (w->fd);
  for (int s = 0; s < 3; s++)
    free (w->pending[s]);
  free (w->escaped);
  free (w->path);
  memset (w, 0, sizeof *w);
  w->fd = -1;
}
