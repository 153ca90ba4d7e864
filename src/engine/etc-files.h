/* SPDX-License-Identifier: Apache-2.0 */
/* /etc/hostname, /etc/hosts and /etc/resolv.conf of a container: files in
 * its directory, bound over the image's. */
#ifndef HAKO_ENGINE_ETC_FILES_H
#define HAKO_ENGINE_ETC_FILES_H

#include "common/error.h"

#include <stdbool.h>

struct etc_files
{
  const char *hostname;
  bool host_network;              /* share the host's hosts and resolver */
  const char *const *extra_hosts; /* "name:ip" (--add-host), NULL-terminated, or NULL */
  const char *ip;                 /* the container's own address, or NULL */
  const char *const *dns;         /* --dns servers, or NULL for the host's */
  const char *const *dns_search;
};

/* Writes the three files into DIR. */
int etc_files_write (const char *dir, const struct etc_files *f, struct hk_error **err);

/* The host's resolv.conf for a container: without loopback nameservers
 * (they mean nothing in another network namespace) unless HOST_NETWORK. */
char *etc_files_resolv_conf (const char *host_text, bool host_network, const char *const *dns,
                             const char *const *search);

#endif
