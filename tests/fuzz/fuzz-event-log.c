/* SPDX-License-Identifier: Apache-2.0 */
/* The event log's reader (hako events): every command and monitor
 * appends to the log, so its reader takes any bytes: partial and overlong
 * lines, lines that are not JSON.  The input is the log file, read
 * through a memfd as events reads the real one. */
#include "common/cleanup.h"
#include "common/event-log.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Stops at an event with "stop", as a --until would. */
static bool
count_event (json_t *event, void *data)
{
  (*(size_t *)data)++;
  return json_object_get (event, "stop") == NULL;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  _cleanup_close_ int fd = memfd_create ("fuzz-event-log", MFD_CLOEXEC);
  if (fd < 0)
    abort (); /* the target cannot run: say so loudly */
  for (size_t done = 0; done < size;)
    {
      ssize_t n = write (fd, data + done, size - done);
      if (n <= 0)
        abort ();
      done += (size_t)n;
    }
  if (lseek (fd, 0, SEEK_SET) != 0)
    abort ();
  struct hk_error *err = NULL;
  size_t events = 0;
  event_log_read_fd (fd, count_event, &events, &err);
  hk_error_freep (&err);
  return 0;
}
