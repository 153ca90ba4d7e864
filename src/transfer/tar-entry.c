/* SPDX-License-Identifier: Apache-2.0 */
#include "tar-entry.h"

#include <errno.h>
#include <unistd.h>

void
tar_entry_times (struct archive_entry *e, struct timespec times[2])
{
  times[1].tv_sec = archive_entry_mtime (e);
  times[1].tv_nsec = archive_entry_mtime_nsec (e);
  times[0] = times[1];
  if (archive_entry_atime_is_set (e))
    {
      times[0].tv_sec = archive_entry_atime (e);
      times[0].tv_nsec = archive_entry_atime_nsec (e);
    }
}

static int
pwrite_all (int fd, const void *buf, size_t len, off_t off)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = pwrite (fd, p, len, off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      p += n;
      off += n;
      len -= (size_t)n;
    }
  return 0;
}

int
tar_entry_write_data (struct archive *a, struct archive_entry *e, int fd, uint64_t *written,
                      struct hk_error **err)
{
  la_int64_t end = 0;
  for (;;)
    {
      const void *buf;
      size_t size;
      la_int64_t off;
      int r = archive_read_data_block (a, &buf, &size, &off);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        return hk_error_set (err, EIO, "read data: %s", archive_error_string (a));
      if (pwrite_all (fd, buf, size, off) < 0)
        return hk_error_errno (err, errno, "write data");
      end = off + (la_int64_t)size;
      if (written)
        *written += size;
    }
  la_int64_t want = archive_entry_size (e);
  if (want > end && ftruncate (fd, want) < 0) /* a sparse file ending in a hole */
    return hk_error_errno (err, errno, "extend to %lld bytes", (long long)want);
  return 0;
}
