/* SPDX-License-Identifier: Apache-2.0 */
#include "ip-prefix.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int
max_len (int family)
{
  return family == AF_INET ? 32 : 128;
}

bool
ip_address_parse (const char *text, struct ip_prefix *out)
{
  memset (out, 0, sizeof *out);
  if (inet_pton (AF_INET, text, out->addr) == 1)
    out->family = AF_INET;
  else if (inet_pton (AF_INET6, text, out->addr) == 1)
    out->family = AF_INET6;
  else
    return false;
  out->len = max_len (out->family);
  return true;
}

bool
ip_prefix_parse (const char *text, struct ip_prefix *out)
{
  const char *slash = strchr (text, '/');
  if (slash == NULL || slash - text >= 46)
    return false;
  char addr[46];
  memcpy (addr, text, (size_t)(slash - text));
  addr[slash - text] = '\0';
  const char *digits = slash + 1;
  if (*digits == '\0' || strlen (digits) > 3 || strspn (digits, "0123456789") != strlen (digits)
      || (digits[0] == '0' && digits[1] != '\0'))
    return false;
  if (!ip_address_parse (addr, out))
    return false;
  int len = atoi (digits);
  if (len > max_len (out->family))
    return false;
  out->len = len;
  return true;
}

const char *
ip_address_format (const struct ip_prefix *p, char buf[static 50])
{
  if (inet_ntop (p->family, p->addr, buf, 50) == NULL)
    snprintf (buf, 50, "?");
  return buf;
}

const char *
ip_prefix_format (const struct ip_prefix *p, char buf[static 50])
{
  char addr[50];
  snprintf (buf, 50, "%s/%d", ip_address_format (p, addr), p->len);
  return buf;
}

/* Clears the bits of P past LEN. */
static void
mask (struct ip_prefix *p, int len)
{
  for (int bit = len; bit < max_len (p->family); bit++)
    p->addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
}

struct ip_prefix
ip_prefix_network (const struct ip_prefix *p)
{
  struct ip_prefix n = *p;
  mask (&n, n.len);
  return n;
}

/* True when A and B agree on their first LEN bits. */
static bool
same_bits (const struct ip_prefix *a, const struct ip_prefix *b, int len)
{
  struct ip_prefix x = *a, y = *b;
  mask (&x, len);
  mask (&y, len);
  return memcmp (x.addr, y.addr, sizeof x.addr) == 0;
}

bool
ip_prefix_contains (const struct ip_prefix *p, const struct ip_prefix *addr)
{
  return p->family == addr->family && addr->len >= p->len && same_bits (p, addr, p->len);
}

bool
ip_prefix_overlaps (const struct ip_prefix *a, const struct ip_prefix *b)
{
  return a->family == b->family && same_bits (a, b, a->len < b->len ? a->len : b->len);
}

struct ip_prefix
ip_prefix_nth (const struct ip_prefix *p, uint32_t n)
{
  struct ip_prefix r = ip_prefix_network (p);
  int bytes = r.family == AF_INET ? 4 : 16;
  uint64_t carry = n;
  for (int i = bytes - 1; i >= 0 && carry; i--)
    {
      carry += r.addr[i];
      r.addr[i] = (uint8_t)(carry & 0xff);
      carry >>= 8;
    }
  r.len = max_len (r.family);
  return r;
}

bool
ip_prefix_is_reserved (const struct ip_prefix *p, const struct ip_prefix *addr)
{
  struct ip_prefix net = ip_prefix_network (p);
  if (memcmp (net.addr, addr->addr, sizeof net.addr) == 0)
    return true;
  if (p->family != AF_INET || p->len >= 31)
    return false;
  struct ip_prefix broadcast = net;
  for (int bit = p->len; bit < 32; bit++)
    broadcast.addr[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
  return memcmp (broadcast.addr, addr->addr, 4) == 0;
}
