/* SPDX-License-Identifier: Apache-2.0 */
#include "netdev.h"
#include "common/cleanup.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

bool
netdev_valid_name (const char *name)
{
  size_t len = strlen (name);
  if (len == 0 || len >= IFNAMSIZ || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return false;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == ':' || *p <= ' ' || *p == 127)
      return false;
  return true;
}

/* The in-container name of DEVICE's entry VALUE. */
static const char *
new_name (const char *device, json_t *value)
{
  json_t *name = json_object_get (value, "name");
  return json_is_string (name) ? json_string_value (name) : device;
}

int
netdev_check (json_t *devices, struct hk_error **err)
{
  const char *device;
  json_t *value;
  json_object_foreach (devices, device, value)
  {
    if (!json_is_object (value))
      return hk_error_set (err, EINVAL, "linux.netDevices.%s: expected an object", device);
    json_t *name = json_object_get (value, "name");
    if (name != NULL && !json_is_string (name))
      return hk_error_set (err, EINVAL, "linux.netDevices.%s.name: expected a string", device);
    if (!netdev_valid_name (device))
      return hk_error_set (err, EINVAL, "linux.netDevices: `%s` is not an interface name", device);
    if (!netdev_valid_name (new_name (device, value)))
      return hk_error_set (err, EINVAL, "linux.netDevices.%s.name: `%s` is not an interface name",
                           device, new_name (device, value));
    if (if_nametoindex (device) == 0)
      return hk_error_set (err, ENODEV, "linux.netDevices: the host has no interface `%s`", device);
  }
  return 0;
}

static void
add_attr (struct nlmsghdr *nh, size_t cap, unsigned short type, const void *data, size_t len)
{
  struct rtattr *rta = (struct rtattr *) ((char *) nh + NLMSG_ALIGN (nh->nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = (unsigned short) RTA_LENGTH (len);
  if (NLMSG_ALIGN (nh->nlmsg_len) + RTA_ALIGN (rta->rta_len) > cap)
    return;
  memcpy (RTA_DATA (rta), data, len);
  nh->nlmsg_len = (unsigned) (NLMSG_ALIGN (nh->nlmsg_len) + RTA_ALIGN (rta->rta_len));
}

/* RTM_NEWLINK on INDEX: into the namespace of PID, renamed NAME. */
static int
move_one (int sock, unsigned index, const char *name, pid_t pid)
{
  union
  {
    char buf[512];
    struct nlmsghdr align;
  } req;
  memset (&req, 0, sizeof req);
  struct nlmsghdr *nh = &req.align;
  nh->nlmsg_len = NLMSG_LENGTH (sizeof (struct ifinfomsg));
  nh->nlmsg_type = RTM_NEWLINK;
  nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  struct ifinfomsg *ifi = NLMSG_DATA (nh);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = (int) index;
  uint32_t target = (uint32_t) pid;
  add_attr (nh, sizeof req, IFLA_NET_NS_PID, &target, sizeof target);
  add_attr (nh, sizeof req, IFLA_IFNAME, name, strlen (name) + 1);
  if (send (sock, nh, nh->nlmsg_len, 0) < 0)
    return -errno;
  union
  {
    char buf[1024];
    struct nlmsghdr align;
  } reply;
  ssize_t n = recv (sock, &reply, sizeof reply, 0);
  if (n < 0)
    return -errno;
  struct nlmsghdr *r = &reply.align;
  if (r->nlmsg_type == NLMSG_ERROR)
    return ((struct nlmsgerr *) NLMSG_DATA (r))->error;
  return 0;
}

int
netdev_move_all (json_t *devices, pid_t pid, struct hk_error **err)
{
  _cleanup_close_ int sock = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (sock < 0)
    return hk_error_errno (err, errno, "linux.netDevices: open rtnetlink");
  const char *device;
  json_t *value;
  json_object_foreach (devices, device, value)
  {
    unsigned index = if_nametoindex (device);
    if (index == 0)
      return hk_error_set (err, ENODEV, "linux.netDevices: the host has no interface `%s`", device);
    int r = move_one (sock, index, new_name (device, value), pid);
    if (r < 0)
      return hk_error_errno (err, -r, "linux.netDevices: move `%s` into the container as `%s`",
                             device, new_name (device, value));
  }
  return 0;
}

int
netdev_loopback_up (struct hk_error **err)
{
  _cleanup_close_ int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return hk_error_errno (err, errno, "bring lo up: socket");
  struct ifreq ifr = { 0 };
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (sock, SIOCGIFFLAGS, &ifr) < 0)
    return hk_error_errno (err, errno, "bring lo up: read its flags");
  if (ifr.ifr_flags & IFF_UP)
    return 0;
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (sock, SIOCSIFFLAGS, &ifr) < 0)
    return hk_error_errno (err, errno, "bring lo up");
  return 0;
}
