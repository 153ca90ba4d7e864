/* SPDX-License-Identifier: Apache-2.0 */
/* /etc/hostname, /etc/hosts and /etc/resolv.conf of a container: files in
 * its directory, bound over the image's. */
#ifndef HAKO_ENGINE_ETC_FILES_H
#define HAKO_ENGINE_ETC_FILES_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

/* A line of /etc/hosts: an address and the names that resolve to it. */
struct etc_host
{
  const char *ip;
  char *const *names; /* NULL-terminated */
};

struct etc_files
{
  const char *hostname;
  bool host_network;              /* share the host's hosts and resolver */
  const char *const *extra_hosts; /* "name:ip" (--add-host), NULL-terminated, or NULL */
  const char *ip;                 /* the container's own address, or NULL */
  const char *const *dns;         /* --dns servers, or NULL for the host's */
  const char *const *dns_search;
  const struct etc_host *peers; /* the other containers of its networks */
  size_t n_peers;
};

/* Writes the three files into DIR. */
int etc_files_write (const char *dir, const struct etc_files *f, struct hk_error **err);

/* The text of /etc/hosts for F. */
char *etc_files_hosts (const struct etc_files *f);

/* Rewrites DIR/hosts in place: a running container has the file bound
 * into it, and a bind mount follows the inode, not the name. */
int etc_files_rewrite_hosts (const char *dir, const struct etc_files *f, struct hk_error **err);

#endif
