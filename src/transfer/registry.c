/* SPDX-License-Identifier: Apache-2.0 */
#include "registry.h"
#include "auth-file.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "store/reference.h"
#include "registry-auth.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define TOKEN_RESPONSE_MAX (64 * 1024)
#define PING_MAX           (64 * 1024)

struct token
{
  char *scope;
  char *value;
  time_t expires;
};

struct endpoint
{
  char *domain;
  char *ca_file;     /* extra CA for this registry, or NULL */
  char *client_cert; /* client.cert and client.key, or NULL */
  char *client_key;
  char *host; /* what the URL names: registry-1.docker.io for docker.io */
  char *base; /* "https://host" once pinged */
  bool insecure;
  bool pinged;
  struct auth_challenge challenge;
  struct token *tokens;
  size_t n_tokens;
  bool creds_loaded;
  char *user;
  char *password;
};

struct registry_client
{
  struct registry_options opts;
  CURLM *multi; /* parallel transfers */
  CURL *easy;   /* one request at a time; keeps its connections */
  struct endpoint *eps;
  size_t n_eps;
};

static void
endpoint_clear (struct endpoint *e)
{
  free (e->domain);
  free (e->ca_file);
  free (e->client_cert);
  free (e->client_key);
  free (e->host);
  free (e->base);
  auth_challenge_clear (&e->challenge);
  for (size_t i = 0; i < e->n_tokens; i++)
    {
      free (e->tokens[i].scope);
      free (e->tokens[i].value);
    }
  free (e->tokens);
  free (e->user);
  free (e->password);
}

int
registry_client_new (const struct registry_options *opts, struct registry_client **out,
                     struct hk_error **err)
{
  /* Reference-counted by libcurl; paired with the cleanup in _free. */
  if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return hk_error_set (err, EIO, "initialise libcurl");
  struct registry_client *c = xzalloc (sizeof *c);
  c->opts = *opts;
  if (c->opts.stall_timeout <= 0)
    c->opts.stall_timeout = 30;
  c->multi = curl_multi_init ();
  c->easy = curl_easy_init ();
  if (c->multi == NULL || c->easy == NULL)
    {
      registry_client_free (c);
      return hk_error_set (err, ENOMEM, "initialise libcurl handles");
    }
  *out = c;
  return 0;
}

void
registry_client_free (struct registry_client *c)
{
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->n_eps; i++)
    endpoint_clear (&c->eps[i]);
  free (c->eps);
  if (c->easy)
    curl_easy_cleanup (c->easy);
  if (c->multi)
    curl_multi_cleanup (c->multi);
  free (c);
  curl_global_cleanup ();
}

CURLM *
registry_multi (struct registry_client *c)
{
  return c->multi;
}

const struct hk_log *
registry_log (struct registry_client *c)
{
  return c->opts.log;
}

long
registry_stall_timeout (struct registry_client *c)
{
  return c->opts.stall_timeout;
}

void
registry_response_clear (struct registry_response *r)
{
  free (r->body);
  free (r->content_type);
  free (r->docker_digest);
  free (r->location);
  free (r->range);
  memset (r, 0, sizeof *r);
}

static bool
is_loopback (const char *host)
{
  return strncmp (host, "localhost", 9) == 0 || strncmp (host, "127.", 4) == 0
         || strncmp (host, "[::1]", 5) == 0;
}

static bool
readable (const char *path)
{
  return access (path, R_OK) == 0;
}

/* The certificates for DOMAIN, the Docker way: a directory per registry
 * with ca.crt (trusted in addition to the system's) and client.cert +
 * client.key (TLS client authentication). */
static void
find_certificates (struct registry_client *c, struct endpoint *e)
{
  static const char *const roots[]
      = { "/etc/hako/certs.d", "/etc/containers/certs.d", "/etc/docker/certs.d" };
  _cleanup_free_ char *dir = NULL;
  if (c->opts.cert_dir)
    dir = xstrdup (c->opts.cert_dir);
  else
    for (size_t i = 0; i < 3 && dir == NULL; i++)
      {
        const char *root = c->opts.certs_d ? c->opts.certs_d : roots[i];
        char *d = xasprintf ("%s/%s", root, e->domain);
        if (access (d, X_OK) == 0)
          dir = d;
        else
          free (d);
        if (c->opts.certs_d)
          break;
      }
  if (dir == NULL)
    return;
  _cleanup_free_ char *ca = xasprintf ("%s/ca.crt", dir);
  _cleanup_free_ char *cert = xasprintf ("%s/client.cert", dir);
  _cleanup_free_ char *key = xasprintf ("%s/client.key", dir);
  if (readable (ca))
    e->ca_file = take_ptr (ca);
  if (readable (cert) && readable (key))
    {
      e->client_cert = take_ptr (cert);
      e->client_key = take_ptr (key);
    }
  hk_debug (c->opts.log, "registry %s: certificates from %s", e->domain, dir);
}

static struct endpoint *
endpoint_of (struct registry_client *c, const char *domain)
{
  for (size_t i = 0; i < c->n_eps; i++)
    if (strcmp (c->eps[i].domain, domain) == 0)
      return &c->eps[i];
  c->eps = xreallocarray (c->eps, c->n_eps + 1, sizeof *c->eps);
  struct endpoint *e = &c->eps[c->n_eps++];
  memset (e, 0, sizeof *e);
  e->domain = xstrdup (domain);
  e->host
      = xstrdup (strcmp (domain, REFERENCE_DEFAULT_DOMAIN) == 0 ? "registry-1.docker.io" : domain);
  const struct registry_settings *rs = registries_conf_find (c->opts.conf, domain);
  e->insecure = !c->opts.tls_verify || (rs && rs->insecure);
  find_certificates (c, e);
  return e;
}

/* --- one request ---------------------------------------------------- */

struct sink
{
  struct registry_response *resp;
  size_t max;
  bool too_big;
  char *www_authenticate;
};

static size_t
sink_write (char *data, size_t size, size_t nmemb, void *opaque)
{
  struct sink *s = opaque;
  size_t n = size * nmemb;
  struct registry_response *r = s->resp;
  if (r->len + n > s->max)
    {
      s->too_big = true;
      return 0; /* abort the transfer */
    }
  r->body = xrealloc (r->body, r->len + n + 1);
  memcpy (r->body + r->len, data, n);
  r->len += n;
  r->body[r->len] = '\0';
  return n;
}

/* Keeps the headers the client needs; a new status line (a redirect
 * followed) starts over. */
static size_t
sink_header (char *data, size_t size, size_t nmemb, void *opaque)
{
  struct sink *s = opaque;
  size_t n = size * nmemb;
  if (n > 5 && strncmp (data, "HTTP/", 5) == 0)
    {
      struct registry_response *r = s->resp;
      free (r->content_type);
      free (r->docker_digest);
      free (r->location);
      free (r->range);
      r->content_type = r->docker_digest = r->location = r->range = NULL;
      free (s->www_authenticate);
      s->www_authenticate = NULL;
      return n;
    }
  const char *colon = memchr (data, ':', n);
  if (colon == NULL)
    return n;
  size_t name_len = (size_t)(colon - data);
  const char *v = colon + 1;
  const char *end = data + n;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
    end--;
  _cleanup_free_ char *value = xstrndup (v, (size_t)(end - v));
  char **slot = NULL;
  if (name_len == 12 && strncasecmp (data, "content-type", 12) == 0)
    slot = &s->resp->content_type;
  else if (name_len == 21 && strncasecmp (data, "docker-content-digest", 21) == 0)
    slot = &s->resp->docker_digest;
  else if (name_len == 8 && strncasecmp (data, "location", 8) == 0)
    slot = &s->resp->location;
  else if (name_len == 5 && strncasecmp (data, "range", 5) == 0)
    slot = &s->resp->range;
  else if (name_len == 16 && strncasecmp (data, "www-authenticate", 16) == 0)
    {
      if (s->www_authenticate == NULL)
        s->www_authenticate = take_ptr (value);
      else
        {
          char *joined = xasprintf ("%s, %s", s->www_authenticate, value);
          free (s->www_authenticate);
          s->www_authenticate = joined;
        }
      return n;
    }
  if (slot != NULL)
    {
      free (*slot);
      *slot = take_ptr (value);
    }
  return n;
}

static void
common_options (struct registry_client *c, CURL *easy, const struct endpoint *e)
{
  curl_easy_setopt (easy, CURLOPT_USERAGENT, "hako/" HAKO_VERSION);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
  /* Redirects (to blob storage) may not downgrade an HTTPS registry. */
  curl_easy_setopt (easy, CURLOPT_REDIR_PROTOCOLS_STR,
                    e && e->base && strncmp (e->base, "http:", 5) == 0 ? "http,https" : "https");
  curl_easy_setopt (easy, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (easy, CURLOPT_LOW_SPEED_TIME, c->opts.stall_timeout);
  bool verify = e == NULL || !e->insecure;
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
  if (e && e->ca_file)
    {
      /* The registry's CA in addition to the system's, as Docker does. */
      curl_easy_setopt (easy, CURLOPT_CAINFO, e->ca_file);
      curl_easy_setopt (easy, CURLOPT_CAPATH, "/etc/ssl/certs");
    }
  if (e && e->client_cert)
    {
      curl_easy_setopt (easy, CURLOPT_SSLCERT, e->client_cert);
      curl_easy_setopt (easy, CURLOPT_SSLKEY, e->client_key);
    }
}

/* A body streamed from a file: LENGTH bytes of FD from OFFSET. */
struct upload_source
{
  int fd;
  uint64_t offset;
  uint64_t length;
  uint64_t sent;
};

static size_t
upload_read (char *buf, size_t size, size_t nmemb, void *opaque)
{
  struct upload_source *u = opaque;
  size_t want = size * nmemb;
  if (u->length - u->sent < want)
    want = (size_t)(u->length - u->sent);
  if (want == 0)
    return 0;
  ssize_t n;
  do
    n = pread (u->fd, buf, want, (off_t)(u->offset + u->sent));
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return CURL_READFUNC_ABORT;
  u->sent += (uint64_t)n;
  return (size_t)n;
}

/* Performs one request on the client's easy handle. */
static int
perform_request (struct registry_client *c, const struct endpoint *e, const char *method,
                 const char *url, struct curl_slist *headers, const void *body, size_t body_len,
                 struct upload_source *upload, size_t max, struct registry_response *resp,
                 char **www_authenticate, struct hk_error **err)
{
  CURL *easy = c->easy;
  curl_easy_reset (easy);
  common_options (c, easy, e);
  struct sink sink = { .resp = resp, .max = max };
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt (easy, CURLOPT_URL, url);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, sink_write);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, sink_header);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT, 10L * c->opts.stall_timeout);
  if (strcmp (method, "GET") == 0)
    curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 1L);
  else if (strcmp (method, "HEAD") == 0)
    {
      curl_easy_setopt (easy, CURLOPT_NOBODY, 1L);
      curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 1L);
    }
  else if (upload != NULL)
    {
      upload->sent = 0;
      curl_easy_setopt (easy, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, method);
      curl_easy_setopt (easy, CURLOPT_READFUNCTION, upload_read);
      curl_easy_setopt (easy, CURLOPT_READDATA, upload);
      curl_easy_setopt (easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)upload->length);
    }
  else
    {
      curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, method);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDS, body ? body : "");
      curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
  hk_debug (c->opts.log, "%s %s", method, url);
  memset (resp, 0, sizeof *resp);
  CURLcode rc = curl_easy_perform (easy);
  if (www_authenticate)
    *www_authenticate = take_ptr (sink.www_authenticate);
  free (sink.www_authenticate);
  if (sink.too_big)
    {
      registry_response_clear (resp);
      return hk_error_set (err, EFBIG, "%s %s: response larger than %zu bytes: refused", method,
                           url, max);
    }
  if (rc != CURLE_OK)
    {
      registry_response_clear (resp);
      return hk_error_set (err, EIO, "%s %s: %s", method, url,
                           *errbuf ? errbuf : curl_easy_strerror (rc));
    }
  curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &resp->status);
  if (resp->body == NULL)
    resp->body = xstrdup ("");
  hk_debug (c->opts.log, "%s %s: %ld", method, url, resp->status);
  return 0;
}

char *
registry_error_text (const struct registry_response *r)
{
  _cleanup_json_ json_t *doc = NULL;
  _cleanup_error_ struct hk_error *ignored = NULL;
  if (r->body && r->len > 0 && r->len < 65536
      && json_parse_object (r->body, r->len, "error", &doc, &ignored) == 0)
    {
      json_t *first = json_array_get (json_object_get (doc, "errors"), 0);
      const char *code = json_string_value (json_object_get (first, "code"));
      const char *msg = json_string_value (json_object_get (first, "message"));
      if (code || msg)
        return xasprintf ("%ld %s%s%s", r->status, code ? code : "", code && msg ? ": " : "",
                          msg ? msg : "");
    }
  const char *reason = r->status == 401   ? "Unauthorized"
                       : r->status == 403 ? "Forbidden"
                       : r->status == 404 ? "Not Found"
                       : r->status == 429 ? "Too Many Requests"
                       : r->status >= 500 ? "Server Error"
                                          : "unexpected status";
  return xasprintf ("%ld %s", r->status, reason);
}

static int
perform_simple (struct registry_client *c, const struct endpoint *e, const char *method,
                const char *url, struct curl_slist *headers, const void *body, size_t body_len,
                size_t max, struct registry_response *resp, char **www_authenticate,
                struct hk_error **err)
{
  return perform_request (c, e, method, url, headers, body, body_len, NULL, max, resp,
                          www_authenticate, err);
}

static int
ping (struct registry_client *c, struct endpoint *e, struct hk_error **err)
{
  static const char *const schemes[] = { "https", "http" };
  _cleanup_error_ struct hk_error *first = NULL;
  for (size_t i = 0; i < (e->insecure ? 2 : 1); i++)
    {
      _cleanup_free_ char *base = xasprintf ("%s://%s", schemes[i], e->host);
      _cleanup_free_ char *url = xasprintf ("%s/v2/", base);
      struct registry_response resp = { 0 };
      _cleanup_free_ char *www = NULL;
      _cleanup_error_ struct hk_error *e_err = NULL;
      free (e->base);
      e->base = xstrdup (base);
      if (perform_simple (c, e, "GET", url, NULL, NULL, 0, PING_MAX, &resp, &www, &e_err) < 0)
        {
          if (first == NULL)
            first = take_ptr (e_err);
          continue;
        }
      long status = resp.status;
      registry_response_clear (&resp);
      auth_challenge_clear (&e->challenge);
      if (status == 401 && www != NULL)
        {
          if (auth_challenge_parse (www, &e->challenge, err) < 0)
            return hk_error_prefix (err, "registry `%s`", e->domain);
        }
      else if (status != 200)
        return hk_error_set (err, EPROTO,
                             "registry `%s` answered GET %s with %ld: not a "
                             "registry (or not the v2 API)",
                             e->domain, url, status);
      e->pinged = true;
      return 0;
    }
  hk_error_free (*err);
  *err = take_ptr (first);
  if (!e->insecure && is_loopback (e->host))
    return hk_error_prefix (err,
                            "registry `%s` over HTTPS (for plain HTTP use "
                            "--tls-verify=false or mark it insecure in registries.json)",
                            e->domain);
  return hk_error_prefix (err, "registry `%s`", e->domain);
}

static void
load_credentials (struct registry_client *c, struct endpoint *e, const char *repository)
{
  if (e->creds_loaded)
    return;
  e->creds_loaded = true;
  if (c->opts.user != NULL)
    {
      e->user = xstrdup (c->opts.user);
      e->password = xstrdup (c->opts.password ? c->opts.password : "");
      return;
    }
  _cleanup_error_ struct hk_error *ferr = NULL;
  if (auth_file_lookup (c->opts.auth_paths, e->domain, repository, &e->user, &e->password, &ferr)
      < 0)
    hk_warn (c->opts.log, "credentials for %s: %s", e->domain, ferr->message);
}

static char *
scope_for (const char *repository, enum registry_action action)
{
  if (repository == NULL)
    return NULL;
  return xasprintf ("repository:%s:%s", repository, action == REGISTRY_PUSH ? "pull,push" : "pull");
}

static int
fetch_token (struct registry_client *c, struct endpoint *e, const char *scope, char **token,
             struct hk_error **err)
{
  time_t now = time (NULL);
  for (size_t i = 0; i < e->n_tokens; i++)
    if (strcmp (e->tokens[i].scope, scope ? scope : "") == 0 && e->tokens[i].expires > now)
      {
        *token = xstrdup (e->tokens[i].value);
        return 0;
      }
  const char *realm = e->challenge.realm;
  if (strncmp (realm, "https://", 8) != 0 && !(strncmp (realm, "http://", 7) == 0 && e->insecure))
    return hk_error_set (err, EPERM, "registry `%s`: token realm `%s` is not HTTPS: refused",
                         e->domain, realm);
  CURL *esc = c->easy;
  _cleanup_free_ char *url = NULL;
  {
    char *svc = e->challenge.service ? curl_easy_escape (esc, e->challenge.service, 0) : NULL;
    char *sc = scope ? curl_easy_escape (esc, scope, 0) : NULL;
    url = xasprintf ("%s%s%s%s%s%s", realm, strchr (realm, '?') ? "&" : "?", svc ? "service=" : "",
                     svc ? svc : "", sc ? (svc ? "&scope=" : "scope=") : "", sc ? sc : "");
    curl_free (svc);
    curl_free (sc);
  }
  struct curl_slist *headers = NULL;
  if (e->user != NULL)
    {
      _cleanup_free_ char *b64 = auth_basic_encode (e->user, e->password);
      _cleanup_free_ char *h = xasprintf ("Authorization: Basic %s", b64);
      headers = curl_slist_append (headers, h);
    }
  struct registry_response resp = { 0 };
  int r = perform_simple (c, e, "GET", url, headers, NULL, 0, TOKEN_RESPONSE_MAX, &resp, NULL, err);
  curl_slist_free_all (headers);
  if (r < 0)
    return hk_error_prefix (err, "get a token for `%s`", e->domain);
  if (resp.status != 200)
    {
      _cleanup_free_ char *text = registry_error_text (&resp);
      registry_response_clear (&resp);
      return hk_error_set (err, EACCES, "get a token for `%s` from %s: %s%s", e->domain, realm,
                           text, e->user ? " (wrong credentials?)" : "");
    }
  int64_t expires_in;
  r = auth_token_parse (resp.body, resp.len, token, &expires_in, err);
  registry_response_clear (&resp);
  if (r < 0)
    return hk_error_prefix (err, "registry `%s`", e->domain);
  e->tokens = xreallocarray (e->tokens, e->n_tokens + 1, sizeof *e->tokens);
  e->tokens[e->n_tokens].scope = xstrdup (scope ? scope : "");
  e->tokens[e->n_tokens].value = xstrdup (*token);
  e->tokens[e->n_tokens].expires = now + (time_t)expires_in - 10;
  e->n_tokens++;
  return 0;
}

void
registry_forget_token (struct registry_client *c, const char *domain, const char *repository)
{
  struct endpoint *e = endpoint_of (c, domain);
  for (size_t i = 0; i < e->n_tokens; i++)
    if (repository == NULL || strstr (e->tokens[i].scope, repository) != NULL)
      e->tokens[i].expires = 0;
}

/* The Authorization header for a request on REPOSITORY, or NULL. */
static int
auth_header (struct registry_client *c, struct endpoint *e, const char *repository,
             enum registry_action action, char **header, struct hk_error **err)
{
  *header = NULL;
  load_credentials (c, e, repository);
  if (e->challenge.scheme == AUTH_BASIC)
    {
      if (e->user == NULL)
        return 0;
      _cleanup_free_ char *b64 = auth_basic_encode (e->user, e->password);
      *header = xasprintf ("Authorization: Basic %s", b64);
      return 0;
    }
  if (e->challenge.scheme == AUTH_BEARER)
    {
      _cleanup_free_ char *scope = scope_for (repository, action);
      _cleanup_free_ char *token = NULL;
      if (fetch_token (c, e, scope, &token, err) < 0)
        return -1;
      *header = xasprintf ("Authorization: Bearer %s", token);
    }
  return 0;
}

static char *
url_for (const struct endpoint *e, const char *repository, const char *path)
{
  if (strncmp (path, "http://", 7) == 0 || strncmp (path, "https://", 8) == 0)
    return xstrdup (path);
  if (path[0] == '/')
    return xasprintf ("%s%s", e->base, path);
  return xasprintf ("%s/v2/%s/%s", e->base, repository, path);
}

static int
ensure_pinged (struct registry_client *c, struct endpoint *e, struct hk_error **err)
{
  const struct registry_settings *rs = registries_conf_find (c->opts.conf, e->domain);
  if (rs && rs->blocked)
    return hk_error_set (err, EPERM, "registry `%s` is blocked in registries.json", e->domain);
  if (!e->pinged && ping (c, e, err) < 0)
    return -1;
  return 0;
}

static int
request (struct registry_client *c, const char *domain, const char *repository,
         enum registry_action action, const char *method, const char *path, const char *accept,
         const char *content_type, const void *body, size_t body_len, struct upload_source *upload,
         const char *extra_header, size_t max, struct registry_response *resp,
         struct hk_error **err)
{
  struct endpoint *e = endpoint_of (c, domain);
  if (ensure_pinged (c, e, err) < 0)
    return -1;
  _cleanup_free_ char *url = url_for (e, repository, path);
  for (int attempt = 0;; attempt++)
    {
      _cleanup_free_ char *auth = NULL;
      if (auth_header (c, e, repository, action, &auth, err) < 0)
        return -1;
      struct curl_slist *headers = NULL;
      _cleanup_free_ char *accept_h = accept ? xasprintf ("Accept: %s", accept) : NULL;
      _cleanup_free_ char *ct_h
          = content_type ? xasprintf ("Content-Type: %s", content_type) : NULL;
      if (accept_h)
        headers = curl_slist_append (headers, accept_h);
      if (ct_h)
        headers = curl_slist_append (headers, ct_h);
      if (auth)
        headers = curl_slist_append (headers, auth);
      if (extra_header)
        headers = curl_slist_append (headers, extra_header);
      headers = curl_slist_append (headers, "Expect:");
      _cleanup_free_ char *www = NULL;
      int r = perform_request (c, e, method, url, headers, body, body_len, upload, max, resp, &www,
                               err);
      curl_slist_free_all (headers);
      if (r < 0)
        return -1;
      /* A 401 with a new challenge (an expired token, or a scope the
       * registry wants spelled otherwise): once more with a fresh one. */
      if (resp->status == 401 && attempt == 0 && www != NULL)
        {
          struct auth_challenge ch;
          if (auth_challenge_parse (www, &ch, err) < 0)
            {
              registry_response_clear (resp);
              return hk_error_prefix (err, "registry `%s`", domain);
            }
          if (ch.scheme != AUTH_NONE)
            {
              auth_challenge_clear (&e->challenge);
              e->challenge = ch;
              registry_forget_token (c, domain, repository);
              registry_response_clear (resp);
              continue;
            }
          auth_challenge_clear (&ch);
        }
      return 0;
    }
}

int
registry_request (struct registry_client *c, const char *domain, const char *repository,
                  enum registry_action action, const char *method, const char *path,
                  const char *accept, const char *content_type, const void *body, size_t body_len,
                  const char *extra_header, size_t max, struct registry_response *resp,
                  struct hk_error **err)
{
  return request (c, domain, repository, action, method, path, accept, content_type, body, body_len,
                  NULL, extra_header, max, resp, err);
}

int
registry_upload (struct registry_client *c, const char *domain, const char *repository,
                 const char *method, const char *url, int fd, uint64_t offset, uint64_t length,
                 const char *extra_header, struct registry_response *resp, struct hk_error **err)
{
  struct upload_source u = { .fd = fd, .offset = offset, .length = length };
  return request (c, domain, repository, REGISTRY_PUSH, method, url, NULL,
                  "application/octet-stream", NULL, 0, &u, extra_header, 64 * 1024, resp, err);
}

int
registry_prepare (struct registry_client *c, CURL *easy, const char *domain, const char *repository,
                  enum registry_action action, const char *path, struct curl_slist **headers,
                  struct hk_error **err)
{
  struct endpoint *e = endpoint_of (c, domain);
  if (ensure_pinged (c, e, err) < 0)
    return -1;
  _cleanup_free_ char *auth = NULL;
  if (auth_header (c, e, repository, action, &auth, err) < 0)
    return -1;
  _cleanup_free_ char *url = url_for (e, repository, path);
  common_options (c, easy, e);
  curl_easy_setopt (easy, CURLOPT_URL, url);
  curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 1L);
  if (auth)
    *headers = curl_slist_append (*headers, auth);
  hk_debug (c->opts.log, "GET %s", url);
  return 0;
}

int
registry_check_login (struct registry_client *c, const char *domain, struct hk_error **err)
{
  struct endpoint *e = endpoint_of (c, domain);
  if (ensure_pinged (c, e, err) < 0)
    return -1;
  if (e->challenge.scheme == AUTH_NONE)
    return 0;
  struct registry_response resp = { 0 };
  if (registry_request (c, domain, NULL, REGISTRY_PULL, "GET", "/v2/", NULL, NULL, NULL, 0, NULL,
                        PING_MAX, &resp, err)
      < 0)
    return -1;
  long status = resp.status;
  _cleanup_free_ char *text = registry_error_text (&resp);
  registry_response_clear (&resp);
  if (status == 401 || status == 403)
    return hk_error_set (err, EACCES, "login to `%s`: %s (wrong user name or password)", domain,
                         text);
  if (status != 200)
    return hk_error_set (err, EPROTO, "login to `%s`: %s", domain, text);
  return 0;
}
