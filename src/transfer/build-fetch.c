/* SPDX-License-Identifier: Apache-2.0 */
/* ADD of a URL: the body into a file, hashed while it streams, checked
 * against --checksum when given; redirects followed (a few), only http
 * and https, a body of at most BUILD_FETCH_MAX bytes. */
#include "build-worker.h"
#include "store/digest.h"
#include "common/cleanup.h"
#include "common/fs-util.h"

#include <curl/curl.h>
#include <errno.h>
#include <string.h>

#define BUILD_FETCH_MAX (INT64_C (8) << 30)

struct fetch
{
  int fd;
  struct sha256 hash;
  int64_t written;
  int errnum;
};

static size_t
body (char *ptr, size_t size, size_t n, void *data)
{
  struct fetch *f = data;
  size_t len = size * n;
  if (f->written + (int64_t)len > BUILD_FETCH_MAX)
    {
      f->errnum = EFBIG;
      return 0;
    }
  if (fs_write_all (f->fd, ptr, len) < 0)
    {
      f->errnum = errno;
      return 0;
    }
  sha256_update (&f->hash, ptr, len);
  f->written += (int64_t)len;
  return len;
}

int
build_fetch (const char *url, int fd, const char *checksum, char digest[DIGEST_STRING_SIZE],
             int64_t *mtime, struct hk_error **err)
{
  if (checksum && !digest_is_valid (checksum))
    return hk_error_set (err, EINVAL, "--checksum=%s: expected sha256:<64 hex digits>", checksum);
  CURL *c = curl_easy_init ();
  if (c == NULL)
    return hk_error_set (err, ENOMEM, "start a download");
  struct fetch f = { .fd = fd };
  sha256_init (&f.hash);
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt (c, CURLOPT_URL, url);
  curl_easy_setopt (c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (c, CURLOPT_LOW_SPEED_TIME, 120L);
  curl_easy_setopt (c, CURLOPT_FILETIME, 1L);
  curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, body);
  curl_easy_setopt (c, CURLOPT_WRITEDATA, &f);
  CURLcode rc = curl_easy_perform (c);
  long status = 0, filetime = -1;
  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo (c, CURLINFO_FILETIME, &filetime);
  curl_easy_cleanup (c);
  sha256_final (&f.hash, digest);
  sha256_release (&f.hash);
  if (f.errnum == EFBIG)
    return hk_error_set (err, EFBIG, "`%s`: larger than %lld bytes", url,
                         (long long)BUILD_FETCH_MAX);
  if (f.errnum)
    return hk_error_errno (err, f.errnum, "`%s`: write the download", url);
  if (rc != CURLE_OK)
    return hk_error_set (err, EIO, "`%s`: %s", url, *errbuf ? errbuf : curl_easy_strerror (rc));
  if (status >= 400)
    return hk_error_set (err, EIO, "`%s`: the server answered %ld", url, status);
  if (checksum && strcmp (checksum, digest) != 0)
    return hk_error_set (err, EINVAL, "`%s`: checksum mismatch: expected %s, got %s", url,
                         checksum, digest);
  *mtime = filetime;
  return 0;
}
