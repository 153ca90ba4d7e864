/* SPDX-License-Identifier: Apache-2.0 */
/* hako explain: namespaces (/proc/PID/ns/TYPE), the pid mapping (NSpid of
 * /proc/PID/status) and the user namespace's maps (/proc/PID/uid_map). */
#include "explain.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const ns_types[] = { "pid", "mnt", "net", "uts", "ipc", "user", "cgroup", "time" };

/* The inode of /proc/PID/ns/TYPE (PID 0: ours), 0 when it cannot be read. */
static unsigned long long
ns_inode (pid_t pid, const char *type)
{
  char path[64];
  if (pid == 0)
    snprintf (path, sizeof path, "/proc/self/ns/%s", type);
  else
    snprintf (path, sizeof path, "/proc/%d/ns/%s", (int)pid, type);
  struct stat st;
  if (stat (path, &st) < 0)
    return 0;
  return (unsigned long long)st.st_ino;
}

/* How the container's namespace of TYPE relates to ours and the peers'. */
static void
add_relation (json_t *ns, const char *type, unsigned long long inode,
              const struct explain_peer *peers, size_t n_peers)
{
  if (inode == ns_inode (0, type))
    {
      json_object_set_new (ns, "relation", json_string ("host"));
      return;
    }
  for (size_t i = 0; i < n_peers; i++)
    if (ns_inode (peers[i].pid, type) == inode)
      {
        json_object_set_new (ns, "relation", json_string (peers[i].what));
        json_object_set_new (ns, "shared_with", json_string (peers[i].name));
        return;
      }
  json_object_set_new (ns, "relation", json_string ("new"));
}

json_t *
explain_namespaces (pid_t pid, const struct explain_peer *peers, size_t n_peers)
{
  json_t *list = json_array ();
  for (size_t i = 0; i < sizeof ns_types / sizeof ns_types[0]; i++)
    {
      unsigned long long inode = ns_inode (pid, ns_types[i]);
      if (inode == 0)
        continue; /* a kernel without it (time before 5.6) */
      _cleanup_free_ char *source = xasprintf ("/proc/%d/ns/%s", (int)pid, ns_types[i]);
      json_t *ns = json_pack ("{s:s, s:I, s:I, s:s}", "type", ns_types[i], "inode",
                              (json_int_t)inode, "host_inode",
                              (json_int_t)ns_inode (0, ns_types[i]), "source", source);
      add_relation (ns, ns_types[i], inode, peers, n_peers);
      json_array_append_new (list, ns);
    }
  return list;
}

char *
explain_status_field (pid_t pid, const char *key)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/status", (int)pid);
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, path, FS_TEXT_FILE_MAX, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return NULL;
    }
  size_t klen = strlen (key);
  for (char *line = text; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (strncmp (line, key, klen) == 0 && line[klen] == ':')
      {
        char *v = line + klen + 1;
        v += strspn (v, " \t");
        return xstrndup (v, strcspn (v, "\n"));
      }
  return NULL;
}

json_t *
explain_processes (const pid_t *pids, size_t n)
{
  json_t *list = json_array ();
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *nspid = explain_status_field (pids[i], "NSpid");
      _cleanup_free_ char *name = explain_status_field (pids[i], "Name");
      if (nspid == NULL)
        continue; /* gone meanwhile */
      json_t *chain = json_array ();
      char *save = NULL;
      for (char *tok = strtok_r (nspid, " \t", &save); tok; tok = strtok_r (NULL, " \t", &save))
        json_array_append_new (chain, json_integer (strtoll (tok, NULL, 10)));
      json_t *last = json_array_get (chain, json_array_size (chain) - 1);
      json_array_append_new (list, json_pack ("{s:i, s:O, s:O, s:s}", "host_pid", (int)pids[i],
                                              "container_pid", last, "nspid", chain, "command",
                                              name ? name : ""));
      json_decref (chain);
    }
  return list;
}

/* The lines of /proc/PID/FILE ("0 100000 65536") as objects. */
static json_t *
id_map (pid_t pid, const char *file)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", (int)pid, file);
  json_t *list = json_array ();
  _cleanup_free_ char *text = NULL;
  struct hk_error *ignored = NULL;
  if (fs_read_file (AT_FDCWD, path, FS_TEXT_FILE_MAX, &text, NULL, &ignored) < 0)
    {
      hk_error_free (ignored);
      return list;
    }
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      unsigned long long inside, outside, count;
      if (sscanf (line, "%llu %llu %llu", &inside, &outside, &count) == 3)
        json_array_append_new (list, json_pack ("{s:I, s:I, s:I}", "inside", (json_int_t)inside,
                                                "outside", (json_int_t)outside, "count",
                                                (json_int_t)count));
    }
  return list;
}

/* The host id of id 0 inside, -1 when 0 is not mapped. */
static json_int_t
host_id_of_root (json_t *map)
{
  size_t i;
  json_t *m;
  json_array_foreach (map, i, m)
  {
    if (json_integer_value (json_object_get (m, "inside")) == 0
        && json_integer_value (json_object_get (m, "count")) > 0)
      return json_integer_value (json_object_get (m, "outside"));
  }
  return -1;
}

json_t *
explain_user (pid_t pid)
{
  json_t *uid_map = id_map (pid, "uid_map");
  json_t *gid_map = id_map (pid, "gid_map");
  _cleanup_free_ char *source = xasprintf ("/proc/%d/uid_map, /proc/%d/gid_map", (int)pid, (int)pid);
  _cleanup_free_ char *uid = explain_status_field (pid, "Uid");
  _cleanup_free_ char *gid = explain_status_field (pid, "Gid");
  json_int_t root_uid = host_id_of_root (uid_map), root_gid = host_id_of_root (gid_map);
  return json_pack ("{s:o, s:o, s:I, s:I, s:s, s:s, s:s}", "uid_map", uid_map, "gid_map",
                    gid_map, "root_uid_on_host", root_uid, "root_gid_on_host", root_gid,
                    "process_uids", uid ? uid : "", "process_gids", gid ? gid : "", "source",
                    source);
}
