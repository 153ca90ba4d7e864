/* SPDX-License-Identifier: Apache-2.0 */
#include "registry-transfer.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ERROR_BODY_MAX 4096

enum dl_phase
{
  DL_QUEUED,   /* not started, or waiting for another command's lock */
  DL_ACTIVE,   /* transferring */
  DL_BACKOFF,  /* failed transiently, waiting to retry */
  DL_FINISHED, /* done or failed */
};

struct blob_download_state
{
  enum dl_phase phase;
  bool locked;
  bool waited; /* another command held the lock at some point */
  int attempt;
  double retry_at;
  CURL *easy;
  struct curl_slist *headers;
  struct blob_writer *writer;
  bool resumed;      /* this attempt asked for a Range */
  bool body_checked; /* the status of this response was looked at */
  bool error_body;   /* this response is an error: keep it apart */
  char *error_text;
  size_t error_len;
  struct hk_error *write_err;
  double last_data; /* when the last bytes came */
  char errbuf[CURL_ERROR_SIZE];
};

struct loop
{
  struct registry_client *c;
  struct store *s;
  const char *domain;
  const char *repository;
  struct progress *progress;
};

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
on_data (char *data, size_t size, size_t nmemb, void *opaque)
{
  struct blob_download *d = opaque;
  struct blob_download_state *st = d->state;
  size_t n = size * nmemb;
  st->last_data = now ();
  if (!st->body_checked)
    {
      st->body_checked = true;
      long status = 0;
      curl_easy_getinfo (st->easy, CURLINFO_RESPONSE_CODE, &status);
      st->error_body = status != 200 && status != 206;
      /* Asked to resume, got the whole blob: start over. */
      if (status == 200 && st->resumed && st->writer->written > 0
          && blob_writer_reset (st->writer, &st->write_err) < 0)
        return 0;
    }
  if (st->error_body)
    {
      size_t keep = st->error_len + n > ERROR_BODY_MAX ? ERROR_BODY_MAX - st->error_len : n;
      st->error_text = xrealloc (st->error_text, st->error_len + keep + 1);
      memcpy (st->error_text + st->error_len, data, keep);
      st->error_len += keep;
      st->error_text[st->error_len] = '\0';
      return n;
    }
  if (blob_writer_write (st->writer, data, n, &st->write_err) < 0)
    return 0; /* aborts: more than the descriptor declares */
  return n;
}

static void
release_transfer (struct loop *l, struct blob_download *d)
{
  struct blob_download_state *st = d->state;
  if (st->easy)
    {
      curl_multi_remove_handle (registry_multi (l->c), st->easy);
      curl_easy_cleanup (st->easy);
      st->easy = NULL;
    }
  curl_slist_free_all (st->headers);
  st->headers = NULL;
}

static void
finish (struct loop *l, struct blob_download *d)
{
  struct blob_download_state *st = d->state;
  release_transfer (l, d);
  blob_writer_free (st->writer);
  st->writer = NULL;
  if (st->locked)
    store_digest_unlock (l->s, STORE_LOCK_BLOB, d->digest);
  st->locked = false;
  st->phase = DL_FINISHED;
}

static int
start_transfer (struct loop *l, struct blob_download *d, struct hk_error **err)
{
  struct blob_download_state *st = d->state;
  if (st->writer == NULL && blob_writer_open (l->s, d->digest, d->size, &st->writer, err) < 0)
    return -1;
  st->easy = curl_easy_init ();
  if (st->easy == NULL)
    return hk_error_set (err, ENOMEM, "curl_easy_init");
  _cleanup_free_ char *path = xasprintf ("blobs/%s", d->digest);
  if (registry_prepare (l->c, st->easy, l->domain, l->repository, REGISTRY_PULL, path, &st->headers,
                        err)
      < 0)
    return -1;
  st->resumed = st->writer->written > 0;
  if (st->resumed)
    {
      _cleanup_free_ char *range
          = xasprintf ("Range: bytes=%llu-", (unsigned long long)st->writer->written);
      st->headers = curl_slist_append (st->headers, range);
    }
  st->body_checked = st->error_body = false;
  free (st->error_text);
  st->error_text = NULL;
  st->error_len = 0;
  st->errbuf[0] = '\0';
  curl_easy_setopt (st->easy, CURLOPT_HTTPHEADER, st->headers);
  curl_easy_setopt (st->easy, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt (st->easy, CURLOPT_WRITEDATA, d);
  curl_easy_setopt (st->easy, CURLOPT_PRIVATE, d);
  curl_easy_setopt (st->easy, CURLOPT_ERRORBUFFER, st->errbuf);
  if (curl_multi_add_handle (registry_multi (l->c), st->easy) != CURLM_OK)
    return hk_error_set (err, EIO, "curl_multi_add_handle");
  st->phase = DL_ACTIVE;
  st->attempt++;
  st->last_data = now ();
  progress_status (l->progress, d->progress_line, "Downloading");
  return 0;
}

/* Takes the blob's lock, or sees that the store has it; 1 when a transfer
 * may start, 0 when there is nothing (more) to do now. */
static int
try_begin (struct loop *l, struct blob_download *d, const struct download_hooks *hooks,
           struct hk_error **err)
{
  struct blob_download_state *st = d->state;
  int r = store_digest_lock (l->s, STORE_LOCK_BLOB, d->digest, true, err);
  if (r < 0)
    return -1;
  if (r == 0)
    {
      if (!st->waited)
        progress_status (l->progress, d->progress_line, "Waiting for another pull");
      st->waited = true;
      return 0;
    }
  st->locked = true;
  if (store_blob_exists (l->s, d->digest))
    {
      finish (l, d);
      d->done = true;
      progress_status (l->progress, d->progress_line,
                       st->waited ? "Downloaded by another pull" : "Already exists");
      return hooks->blob_ready (hooks->opaque, d, err) < 0 ? -1 : 0;
    }
  return 1;
}

static bool
transient_curl (CURLcode rc)
{
  switch (rc)
    {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
    }
}

/* A finished transfer: commit, retry or fail. */
static int
completed (struct loop *l, struct blob_download *d, CURLcode rc, const struct download_hooks *hooks,
           struct hk_error **err)
{
  struct blob_download_state *st = d->state;
  long status = 0;
  curl_easy_getinfo (st->easy, CURLINFO_RESPONSE_CODE, &status);
  release_transfer (l, d);
  _cleanup_free_ char *why = NULL;
  bool transient = false;

  if (st->write_err != NULL)
    {
      /* Too long a body, or a write error: not worth a retry. */
      hk_error_free (*err);
      *err = take_ptr (st->write_err);
      return hk_error_prefix (err, "blob %s", d->digest);
    }
  if (rc != CURLE_OK)
    {
      why = xstrdup (*st->errbuf ? st->errbuf : curl_easy_strerror (rc));
      transient = transient_curl (rc);
    }
  else if (status == 200 || status == 206)
    {
      _cleanup_error_ struct hk_error *commit_err = NULL;
      if (blob_writer_commit (st->writer, &commit_err) == 0)
        {
          d->done = true;
          d->fetched = true;
          finish (l, d);
          progress_status (l->progress, d->progress_line, "Download complete");
          return hooks->blob_ready (hooks->opaque, d, err);
        }
      /* A body shorter than declared may be a connection cut short; a
       * wrong digest is the registry's answer and final. */
      if (st->writer->written < (uint64_t)d->size)
        {
          why = xstrdup (commit_err->message);
          transient = true;
          if (blob_writer_reset (st->writer, err) < 0)
            return -1;
        }
      else
        {
          hk_error_free (*err);
          *err = take_ptr (commit_err);
          return -1;
        }
    }
  else
    {
      struct registry_response r
          = { .status = status, .body = st->error_text, .len = st->error_len };
      why = registry_error_text (&r);
      transient = status >= 500 || status == 429 || status == 408;
      if (status == 401 && st->attempt == 1)
        {
          registry_forget_token (l->c, l->domain, l->repository);
          transient = true;
        }
    }
  if (!transient || st->attempt >= DOWNLOAD_ATTEMPTS)
    return hk_error_set (err, EIO, "blob %s: GET failed%s: %s", d->digest,
                         st->attempt > 1 ? " after retries" : "", why);
  double delay = 0.5 * (double)(1 << (st->attempt - 1));
  hk_log (registry_log (l->c), HK_LOG_INFO, "blob %s: %s; retrying in %.1fs", d->digest, why,
          delay);
  st->phase = DL_BACKOFF;
  st->retry_at = now () + delay;
  progress_status (l->progress, d->progress_line, "Retrying");
  return 0;
}

static int
run_loop (struct loop *l, struct blob_download *ds, size_t n, const struct download_hooks *hooks,
          struct hk_error **err)
{
  CURLM *multi = registry_multi (l->c);
  for (;;)
    {
      size_t active = 0, unfinished = 0;
      for (size_t i = 0; i < n; i++)
        {
          if (ds[i].state->phase == DL_ACTIVE)
            active++;
          if (ds[i].state->phase != DL_FINISHED)
            unfinished++;
        }
      for (size_t i = 0; i < n && active < DOWNLOADS_AT_ONCE; i++)
        {
          struct blob_download *d = &ds[i];
          struct blob_download_state *st = d->state;
          if (st->phase == DL_BACKOFF && now () >= st->retry_at)
            {
              if (start_transfer (l, d, err) < 0)
                return -1;
              active++;
            }
          else if (st->phase == DL_QUEUED)
            {
              int r = try_begin (l, d, hooks, err);
              if (r < 0)
                return -1;
              if (r > 0)
                {
                  if (start_transfer (l, d, err) < 0)
                    return -1;
                  active++;
                }
            }
        }
      int busy = hooks->poll (hooks->opaque, err);
      if (busy < 0)
        return -1;
      if (unfinished == 0 && busy == 0)
        return 0;
      int running = 0;
      if (curl_multi_perform (multi, &running) != CURLM_OK)
        return hk_error_set (err, EIO, "curl_multi_perform failed");
      CURLMsg *msg;
      int left;
      while ((msg = curl_multi_info_read (multi, &left)) != NULL)
        {
          if (msg->msg != CURLMSG_DONE)
            continue;
          struct blob_download *d = NULL;
          curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **)&d);
          if (completed (l, d, msg->data.result, hooks, err) < 0)
            return -1;
        }
      /* curl's own low-speed check averages over seconds of history; a
       * registry that stops sending is caught here, on time. */
      double stall = (double)registry_stall_timeout (l->c);
      for (size_t i = 0; i < n; i++)
        {
          struct blob_download_state *st = ds[i].state;
          if (st->phase == DL_ACTIVE && now () - st->last_data > stall)
            {
              snprintf (st->errbuf, sizeof st->errbuf,
                        "no data for %.0f seconds: the registry stalls", stall);
              if (completed (l, &ds[i], CURLE_OPERATION_TIMEDOUT, hooks, err) < 0)
                return -1;
            }
        }
      for (size_t i = 0; i < n; i++)
        if (ds[i].state->phase == DL_ACTIVE && ds[i].state->writer)
          progress_bytes (l->progress, ds[i].progress_line, ds[i].state->writer->written,
                          (uint64_t)ds[i].size);
      /* Wakes for data, for an extraction that ends (curl_multi_wakeup),
       * or every 100 ms for lock waits and backoffs. */
      if (curl_multi_poll (multi, NULL, 0, 100, NULL) != CURLM_OK)
        return hk_error_set (err, EIO, "curl_multi_poll failed");
    }
}

int
registry_download_blobs (struct registry_client *c, struct store *s, const char *domain,
                         const char *repository, struct blob_download *ds, size_t n,
                         struct progress *progress, const struct download_hooks *hooks,
                         struct hk_error **err)
{
  struct loop l
      = { .c = c, .s = s, .domain = domain, .repository = repository, .progress = progress };
  for (size_t i = 0; i < n; i++)
    ds[i].state = xzalloc (sizeof *ds[i].state);
  int r = run_loop (&l, ds, n, hooks, err);
  for (size_t i = 0; i < n; i++)
    {
      finish (&l, &ds[i]);
      hk_error_free (ds[i].state->write_err);
      free (ds[i].state->error_text);
      free (ds[i].state);
      ds[i].state = NULL;
    }
  return r;
}
