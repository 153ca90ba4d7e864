/* SPDX-License-Identifier: Apache-2.0 */
#include "network-host.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The most of `iptables-save` output read. */
#define IPTABLES_SAVE_MAX (16 << 20)

extern char **environ;

static char *
tag (const struct network *n)
{
  return xasprintf ("hako:%.12s", n->id);
}

static void append (char **text, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
append (char **text, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  _cleanup_free_ char *more = xvasprintf (fmt, ap);
  va_end (ap);
  char *joined = xasprintf ("%s%s", *text ? *text : "", more);
  free (*text);
  *text = joined;
}

char *
network_host_rules (const struct network *n)
{
  _cleanup_free_ char *t = tag (n);
  const char *br = n->bridge;
  char *rules = NULL;
  if (n->internal)
    {
      /* Nothing crosses the bridge, and of the host only the network's
       * DNS server on the gateway is reachable from it (inserted last:
       * before the DROP). */
      append (&rules, "*filter\n");
      append (&rules, "-I FORWARD -i %s ! -o %s -m comment --comment %s -j DROP\n", br, br, t);
      append (&rules, "-I FORWARD -o %s ! -i %s -m comment --comment %s -j DROP\n", br, br, t);
      append (&rules, "-I INPUT -i %s -m comment --comment %s -j DROP\n", br, t);
      for (int tcp = 0; n->gateway && *n->gateway && tcp <= 1; tcp++)
        append (&rules, "-I INPUT -i %s -d %s -p %s --dport 53 -m comment --comment %s -j ACCEPT\n",
                br, n->gateway, tcp ? "tcp" : "udp", t);
      append (&rules, "COMMIT\n");
      return rules;
    }
  append (&rules, "*nat\n");
  append (&rules, "-A POSTROUTING -s %s ! -d %s -m comment --comment %s -j MASQUERADE\n", n->subnet,
          n->subnet, t);
  append (&rules, "COMMIT\n*filter\n");
  /* Accepted before any DROP policy or rule (Docker's, a firewall's). */
  append (&rules, "-I FORWARD -i %s -m comment --comment %s -j ACCEPT\n", br, t);
  append (&rules, "-I FORWARD -o %s -m comment --comment %s -j ACCEPT\n", br, t);
  append (&rules, "COMMIT\n");
  return rules;
}

int
network_host_run (char *const argv[], const char *input, char **out, struct hk_error **err)
{
  _cleanup_close_ int in = memfd_create ("hako-in", MFD_CLOEXEC);
  _cleanup_close_ int so = memfd_create ("hako-out", MFD_CLOEXEC);
  if (in < 0 || so < 0)
    return hk_error_errno (err, errno, "run %s", argv[0]);
  if (input && (fs_write_all (in, input, strlen (input)) < 0 || lseek (in, 0, SEEK_SET) < 0))
    return hk_error_errno (err, errno, "run %s", argv[0]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, in, 0);
  posix_spawn_file_actions_adddup2 (&fa, so, 1);
  posix_spawn_file_actions_adddup2 (&fa, so, 2);
  pid_t pid;
  int r = posix_spawnp (&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  if (r != 0)
    return hk_error_errno (err, r, "run %s", argv[0]);
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (lseek (so, 0, SEEK_SET) < 0 || fs_read_fd (so, IPTABLES_SAVE_MAX, &text, &len, err) < 0)
    return -1;
  if (WIFSIGNALED (status))
    return hk_error_set (err, EIO, "%s was killed by signal %d", argv[0], WTERMSIG (status));
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      size_t n = strlen (text);
      while (n > 0 && text[n - 1] == '\n')
        text[--n] = '\0';
      return hk_error_set (err, EIO, "%s failed: %s", argv[0], *text ? text : "no message");
    }
  if (out != NULL)
    *out = take_ptr (text);
  return 0;
}

static char *
marker_path (const struct network *n, const char *state_dir)
{
  return xasprintf ("%s/%s.rules", state_dir, n->id);
}

/* The lines of iptables-save that carry N's tag, turned into deletions,
 * in iptables-restore form; "" when there are none. */
static int
tagged_deletions (const struct network *n, char **out, struct hk_error **err)
{
  _cleanup_free_ char *t = tag (n);
  char *deletions = xstrdup ("");
  static const char *const tables[] = { "nat", "filter" };
  for (size_t i = 0; i < 2; i++)
    {
      char *const argv[] = { "iptables-save", "-t", (char *)tables[i], NULL };
      _cleanup_free_ char *saved = NULL;
      if (network_host_run (argv, NULL, &saved, err) < 0)
        {
          free (deletions);
          return -1;
        }
      bool any = false;
      char *save = NULL;
      for (char *line = strtok_r (saved, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        {
          if (strncmp (line, "-A ", 3) != 0 || strstr (line, t) == NULL)
            continue;
          if (!any)
            append (&deletions, "*%s\n", tables[i]);
          any = true;
          append (&deletions, "-D %s\n", line + 3);
        }
      if (any)
        append (&deletions, "COMMIT\n");
    }
  *out = deletions;
  return 0;
}

static int
restore (const char *rules, struct hk_error **err)
{
  char *const argv[] = { "iptables-restore", "--noflush", NULL };
  return network_host_run (argv, rules, NULL, err);
}

/* STATE_DIR/rules.lock, held: the rules of networks are changed by one
 * process at a time (the first containers of a network may start
 * together). */
static int
lock_rules (const char *state_dir, struct hk_error **err)
{
  if (fs_mkdir_p (state_dir, 0700, err) < 0)
    return -1;
  _cleanup_free_ char *path = xasprintf ("%s/rules.lock", state_dir);
  return fs_lock_file (path, err);
}

int
network_host_prepare (const struct network *n, const char *state_dir, struct hk_error **err)
{
  _cleanup_free_ char *marker = marker_path (n, state_dir);
  if (access (marker, F_OK) == 0)
    return 0;
  _cleanup_close_ int lock = lock_rules (state_dir, err);
  if (lock < 0)
    return -1;
  if (access (marker, F_OK) == 0)
    return 0; /* made while we waited */
  /* Rules left by an earlier run (the marker lost with its tmpfs while
   * the rules stayed) are replaced, not doubled. */
  _cleanup_free_ char *old = NULL;
  _cleanup_free_ char *rules = network_host_rules (n);
  if (tagged_deletions (n, &old, err) < 0 || (*old && restore (old, err) < 0)
      || restore (rules, err) < 0)
    return hk_error_prefix (err, "set up the rules of network %s", n->name);
  _cleanup_close_ int fd = open (marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return hk_error_errno (err, errno, "create `%s`", marker);
  return 0;
}

static bool
is_bridge (const char *name)
{
  _cleanup_free_ char *path = xasprintf ("/sys/class/net/%s/bridge", name);
  return access (path, F_OK) == 0;
}

/* True when an interface is still enslaved to bridge NAME. */
static bool
has_ports (const char *name)
{
  _cleanup_free_ char *path = xasprintf ("/sys/class/net/%s/brif", name);
  _cleanup_closedir_ DIR *d = opendir (path);
  struct dirent *de;
  while (d != NULL && (de = readdir (d)) != NULL)
    if (de->d_name[0] != '.')
      return true;
  return false;
}

int
network_host_check_bridge (const char *name, struct hk_error **err)
{
  if (if_nametoindex (name) != 0 && !is_bridge (name))
    return hk_error_set (err, EEXIST, "the host has an interface %s that is not a bridge", name);
  return 0;
}

/* RTM_DELLINK of interface INDEX. */
static int
delete_link (unsigned index, const char *name, struct hk_error **err)
{
  _cleanup_close_ int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    return hk_error_errno (err, errno, "delete bridge %s: netlink", name);
  struct
  {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
  } req = {
    .nh = { .nlmsg_len = sizeof req,
            .nlmsg_type = RTM_DELLINK,
            .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
            .nlmsg_seq = 1 },
    .ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)index },
  };
  if (send (fd, &req, sizeof req, 0) < 0)
    return hk_error_errno (err, errno, "delete bridge %s", name);
  char buf[4096];
  ssize_t len = recv (fd, buf, sizeof buf, 0);
  if (len < (ssize_t)sizeof (struct nlmsghdr))
    return hk_error_errno (err, errno, "delete bridge %s", name);
  struct nlmsghdr *reply = (struct nlmsghdr *)buf;
  if (reply->nlmsg_type == NLMSG_ERROR)
    {
      int e = -((struct nlmsgerr *)NLMSG_DATA (reply))->error;
      if (e != 0 && e != ENODEV)
        return hk_error_errno (err, e, "delete bridge %s", name);
    }
  return 0;
}

int
network_host_remove (const struct network *n, const char *state_dir, struct hk_error **err)
{
  _cleanup_free_ char *deletions = NULL;
  _cleanup_close_ int lock = lock_rules (state_dir, err);
  if (lock < 0)
    return -1;
  if (tagged_deletions (n, &deletions, err) < 0 || (*deletions && restore (deletions, err) < 0))
    return hk_error_prefix (err, "remove the rules of network %s", n->name);
  _cleanup_free_ char *marker = marker_path (n, state_dir);
  unlink (marker);
  unsigned index = if_nametoindex (n->bridge);
  if (index == 0 || !is_bridge (n->bridge))
    return 0;
  /* No container uses the network any more, but the veth of the last one
   * can outlive its CNI DEL for a moment (the kernel dismantles a network
   * namespace's devices in the background): give it a second, then take
   * the bridge away with whatever is still attached. */
  for (int i = 0; i < 50 && has_ports (n->bridge); i++)
    {
      struct timespec ts = { .tv_nsec = 20 * 1000000L };
      nanosleep (&ts, NULL);
    }
  return delete_link (index, n->bridge, err);
}
