/* SPDX-License-Identifier: Apache-2.0 */
/* A client of the OCI distribution API (Docker Registry HTTP API v2) over
 * libcurl: endpoint discovery (HTTPS, or plain HTTP where allowed),
 * anonymous, Basic and Bearer-token authentication, requests with capped
 * responses, and registry errors turned into messages. */
#ifndef HAKO_TRANSFER_REGISTRY_H
#define HAKO_TRANSFER_REGISTRY_H

#include "common/error.h"
#include "common/log.h"
#include "store/registries-conf.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct registry_client;

struct registry_options
{
  const struct registries_conf *conf; /* per-registry insecure/blocked; may be NULL */
  const struct hk_log *log;
  bool tls_verify;         /* false: --tls-verify=false, every registry insecure */
  char *const *auth_paths; /* credential files, see auth-file.h */
  const char *user;        /* --creds, overriding the files; may be NULL */
  const char *password;
  long stall_timeout;   /* seconds without a byte before a transfer fails */
  const char *cert_dir; /* --cert-dir: ca.crt, client.cert/.key for every registry */
  const char *certs_d;  /* root of per-registry dirs (certs.d/<registry>/…); NULL:
                           /etc/hako/certs.d, /etc/containers/certs.d,
                           /etc/docker/certs.d */
};

int registry_client_new (const struct registry_options *opts, struct registry_client **out,
                         struct hk_error **err);
void registry_client_free (struct registry_client *c);

static inline void
cleanup_registry_clientp (struct registry_client **c)
{
  registry_client_free (*c);
}
#define _cleanup_registry_client_ __attribute__ ((cleanup (cleanup_registry_clientp)))

struct registry_response
{
  long status;
  char *body; /* NUL-terminated */
  size_t len;
  char *content_type;
  char *docker_digest; /* Docker-Content-Digest */
  char *location;
  char *range; /* Range, in upload responses */
};

void registry_response_clear (struct registry_response *r);

/* ACTION for the token scope: "pull" or "pull,push". */
enum registry_action
{
  REGISTRY_PULL,
  REGISTRY_PUSH,
};

/* METHOD PATH (relative to /v2/<REPOSITORY>/ when it does not start with
 * "/" or a scheme, the full URL otherwise) with authentication.  The body
 * is kept up to MAX bytes (more fails).  BODY/BODY_LEN are sent (PUT,
 * PATCH, POST); CONTENT_TYPE and ACCEPT may be NULL; EXTRA_HEADER too. */
int registry_request (struct registry_client *c, const char *domain, const char *repository,
                      enum registry_action action, const char *method, const char *path,
                      const char *accept, const char *content_type, const void *body,
                      size_t body_len, const char *extra_header, size_t max,
                      struct registry_response *resp, struct hk_error **err);

/* METHOD (PUT, PATCH) URL with LENGTH bytes of FD from OFFSET as the body,
 * streamed; a 401 retries with a fresh token (the body is read again). */
int registry_upload (struct registry_client *c, const char *domain, const char *repository,
                     const char *method, const char *url, int fd, uint64_t offset, uint64_t length,
                     const char *extra_header, struct registry_response *resp,
                     struct hk_error **err);

/* Checks that DOMAIN answers /v2/ and that the credentials (if any) work;
 * for `hako login`. */
int registry_check_login (struct registry_client *c, const char *domain, struct hk_error **err);

/* The message of a registry error response ("MANIFEST_UNKNOWN: manifest
 * unknown"), or the HTTP status line. */
char *registry_error_text (const struct registry_response *r);

/* --- used by the transfer loop (registry-transfer.c) --------------- */

/* Sets up EASY for GET URL-or-PATH on REPOSITORY with authentication;
 * headers are appended to *HEADERS (the caller frees them). */
int registry_prepare (struct registry_client *c, CURL *easy, const char *domain,
                      const char *repository, enum registry_action action, const char *path,
                      struct curl_slist **headers, struct hk_error **err);
CURLM *registry_multi (struct registry_client *c);
const struct hk_log *registry_log (struct registry_client *c);
long registry_stall_timeout (struct registry_client *c);
/* Forgets the token for REPOSITORY after a 401, so the next request gets
 * a fresh one. */
void registry_forget_token (struct registry_client *c, const char *domain, const char *repository);

#endif
