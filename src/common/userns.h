/* SPDX-License-Identifier: Apache-2.0 */
/* User namespaces held by an fd: made with given maps (for idmapped
 * mounts, for a container's namespace kept by a bind mount), and the maps
 * of one read back. */
#ifndef HAKO_COMMON_USERNS_H
#define HAKO_COMMON_USERNS_H

#include "error.h"

#include <stdbool.h>

/* A new user namespace whose uid and gid maps are UID_MAP and GID_MAP (the
 * kernel's "INSIDE OUTSIDE COUNT" lines): a child lives in it only long
 * enough for its maps to be written.  Returns an fd of it, or -1.  The
 * caller needs CAP_SETUID and CAP_SETGID over the ids it maps. */
int userns_open_with_maps (const char *uid_map, const char *gid_map, struct hk_error **err);

/* A namespace made by userns_open_with_maps for idmapped mounts, offered
 * (FD taken) to the next userns_take_offered asking for the same maps in
 * this process: a container's kept namespace takes the one its root
 * filesystem's layers were idmapped with rather than making another (a
 * `run` makes both).  One is kept at a time; a later offer closes the
 * earlier.  Only a taker that keeps the namespace for one container may
 * take, so two containers never share one. */
void userns_offer (int fd, const char *uid_map, const char *gid_map);

/* The offered namespace if its maps are UID_MAP and GID_MAP (the caller
 * owns the fd, no longer offered), else -1. */
int userns_take_offered (const char *uid_map, const char *gid_map);

/* The maps of user namespace FD as its parent sees them (*UID_MAP and
 * *GID_MAP, owned by the caller). */
int userns_read_maps (int fd, char **uid_map, char **gid_map, struct hk_error **err);

/* Whether we are in the machine's first user namespace (uid_map
 * "0 0 4294967295"): false for rootless hako, which runs in one it made. */
bool userns_is_initial (void);

#endif
