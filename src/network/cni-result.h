/* SPDX-License-Identifier: Apache-2.0 */
/* What CNI plugins print (spec section 5): the result of ADD (interfaces,
 * IPs, routes, DNS), an error, or the versions a plugin supports.  All of
 * it comes from programs hako does not control: every field is checked,
 * and an error names the one at fault. */
#ifndef HAKO_NETWORK_CNI_RESULT_H
#define HAKO_NETWORK_CNI_RESULT_H

#include "common/error.h"

#include <jansson.h>
#include <stddef.h>

struct cni_interface
{
  char *name;
  char *mac;     /* NULL when L2 addresses mean nothing */
  char *sandbox; /* the netns path; NULL for a host interface */
};

struct cni_ip
{
  char *address; /* "10.88.0.5/16" */
  char *gateway; /* NULL when none */
  int interface; /* index into interfaces, -1 when not given */
};

struct cni_route
{
  char *dst; /* "0.0.0.0/0" */
  char *gw;  /* NULL: the default gateway */
};

struct cni_result
{
  char *cni_version;
  struct cni_interface *interfaces;
  size_t n_interfaces;
  struct cni_ip *ips;
  size_t n_ips;
  struct cni_route *routes;
  size_t n_routes;
  char **nameservers; /* dns; each a NULL-terminated vector, never NULL */
  char **search;
  char **options;
  char *domain;
};

void cni_result_free (struct cni_result *r);

static inline void
cleanup_cni_resultp (struct cni_result **r)
{
  cni_result_free (*r);
}
#define _cleanup_cni_result_ __attribute__ ((cleanup (cleanup_cni_resultp)))

/* A success result, in the 1.0 shape or the 0.3/0.4 one (with
 * ips[].version). */
int cni_result_from_json (json_t *doc, struct cni_result **out, struct hk_error **err);
int cni_result_parse (const char *text, size_t len, struct cni_result **out, struct hk_error **err);

/* The container's first address of FAMILY (AF_INET or AF_INET6): the
 * first IP on an interface inside the sandbox, or any when none says;
 * NULL when there is none. */
const struct cni_ip *cni_result_address (const struct cni_result *r, int family);

/* The interface of IP, or NULL. */
const struct cni_interface *cni_result_ip_interface (const struct cni_result *r,
                                                     const struct cni_ip *ip);

/* The message of an error result ({"code", "msg", "details"}), as
 * "MSG: DETAILS"; NULL when TEXT is not one.  *CODE gets the code. */
char *cni_error_message (const char *text, size_t len, int *code);

/* The versions of a VERSION result, a NULL-terminated vector. */
int cni_version_parse (const char *text, size_t len, char ***supported, struct hk_error **err);

#endif
