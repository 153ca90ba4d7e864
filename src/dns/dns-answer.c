/* SPDX-License-Identifier: Apache-2.0 */
#include "dns-answer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <ldns/ldns.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The query's name without its final dot, lower case, in BUF. */
static bool
owner_text (const ldns_rdf *owner, char *buf, size_t size)
{
  char *text = ldns_rdf2str (owner);
  if (text == NULL)
    return false;
  size_t n = strlen (text);
  if (n > 0 && text[n - 1] == '.')
    text[--n] = '\0';
  bool fits = n < size;
  if (fits)
    for (size_t i = 0; i <= n; i++)
      buf[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
  free (text);
  return fits;
}

/* "4.3.2.1.in-addr.arpa" into the address 1.2.3.4 in OUT; false if it
 * is not one. */
static bool
reverse_ipv4 (const char *name, struct in_addr *out)
{
  unsigned a, b, c, d;
  char tail[32], text[INET_ADDRSTRLEN];
  if (sscanf (name, "%3u.%3u.%3u.%3u.%31s", &d, &c, &b, &a, tail) != 5
      || strcmp (tail, "in-addr.arpa") != 0 || a > 255 || b > 255 || c > 255 || d > 255)
    return false;
  snprintf (text, sizeof text, "%u.%u.%u.%u", a, b, c, d);
  return inet_pton (AF_INET, text, out) == 1;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* "2.0.0.0.(32 nibbles, lowest first).ip6.arpa" into its address in OUT;
 * false if it is not one (the name is lower case already). */
static bool
reverse_ipv6 (const char *name, struct in6_addr *out)
{
  if (strlen (name) != 64 + strlen ("ip6.arpa") || strcmp (name + 64, "ip6.arpa") != 0)
    return false;
  memset (out, 0, sizeof *out);
  for (int i = 0; i < 32; i++)
    {
      int nibble = hex_digit (name[2 * i]);
      if (nibble < 0 || name[2 * i + 1] != '.')
        return false;
      out->s6_addr[15 - i / 2] |= (uint8_t)(i % 2 == 0 ? nibble : nibble << 4);
    }
  return true;
}

/* The address a PTR question NAME asks for, in ADDR (family in *FAMILY);
 * false when NAME is no reverse name. */
static bool
reverse_name (const char *name, int *family, struct in6_addr *addr)
{
  *family = AF_INET;
  if (reverse_ipv4 (name, (struct in_addr *)addr))
    return true;
  *family = AF_INET6;
  return reverse_ipv6 (name, addr);
}

/* True when the text address ADDRESS is the binary BIN of FAMILY. */
static bool
same_address (const char *address, int family, const struct in6_addr *bin)
{
  struct in6_addr parsed;
  if (inet_pton (family, address, &parsed) != 1)
    return false;
  return memcmp (&parsed, bin, family == AF_INET ? 4 : 16) == 0;
}

static void
add_answer (ldns_pkt *reply, const ldns_rdf *owner, ldns_rr_type type, ldns_rdf *data)
{
  ldns_rr *rr = ldns_rr_new ();
  ldns_rr_set_owner (rr, ldns_rdf_clone (owner));
  ldns_rr_set_type (rr, type);
  ldns_rr_set_class (rr, LDNS_RR_CLASS_IN);
  /* Names change the moment containers come and go: not to be kept. */
  ldns_rr_set_ttl (rr, 0);
  ldns_rr_push_rdf (rr, data);
  ldns_pkt_push_rr (reply, LDNS_SECTION_ANSWER, rr);
}

/* The answers for QUESTION in REPLY; false when the name is not ours. */
static bool
answer_question (ldns_pkt *reply, const ldns_rr *question, const struct dns_record *records,
                 size_t n)
{
  char name[256];
  const ldns_rdf *owner = ldns_rr_owner (question);
  ldns_rr_type type = ldns_rr_get_type (question);
  if (ldns_rr_get_class (question) != LDNS_RR_CLASS_IN || !owner_text (owner, name, sizeof name))
    return false;
  bool ours = false;
  int family;
  struct in6_addr addr;
  if (type == LDNS_RR_TYPE_PTR && reverse_name (name, &family, &addr))
    {
      for (size_t i = 0; i < n && !ours; i++)
        if (same_address (records[i].address, family, &addr))
          {
            char *fqdn = NULL;
            if (asprintf (&fqdn, "%s.", records[i].name) < 0)
              return false;
            ldns_rdf *target = ldns_dname_new_frm_str (fqdn);
            free (fqdn);
            if (target == NULL)
              return false;
            add_answer (reply, owner, LDNS_RR_TYPE_PTR, target);
            ours = true;
          }
      return ours;
    }
  for (size_t i = 0; i < n; i++)
    {
      if (strcasecmp (records[i].name, name) != 0)
        continue;
      ours = true;
      bool v6 = strchr (records[i].address, ':') != NULL;
      if ((type == LDNS_RR_TYPE_A && !v6) || (type == LDNS_RR_TYPE_AAAA && v6))
        {
          ldns_rdf *data = ldns_rdf_new_frm_str (v6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A,
                                                 records[i].address);
          if (data != NULL)
            add_answer (reply, owner, type, data);
        }
    }
  return ours;
}

/* QUERY parsed when it is a query we answer (one question, opcode
 * QUERY, not a response); NULL otherwise. */
static ldns_pkt *
parse_query (const uint8_t *query, size_t len)
{
  ldns_pkt *q = NULL;
  if (ldns_wire2pkt (&q, query, len) != LDNS_STATUS_OK)
    return NULL;
  if (ldns_pkt_qr (q) || ldns_pkt_get_opcode (q) != LDNS_PACKET_QUERY
      || ldns_rr_list_rr_count (ldns_pkt_question (q)) != 1)
    {
      ldns_pkt_free (q);
      return NULL;
    }
  return q;
}

/* The reply to Q, its question copied, no answer yet. */
static ldns_pkt *
reply_to (const ldns_pkt *q)
{
  ldns_pkt *reply = ldns_pkt_new ();
  ldns_pkt_set_id (reply, ldns_pkt_id (q));
  ldns_pkt_set_qr (reply, true);
  ldns_pkt_set_aa (reply, true);
  ldns_pkt_set_rd (reply, ldns_pkt_rd (q));
  ldns_pkt_set_ra (reply, true);
  ldns_pkt_push_rr (reply, LDNS_SECTION_QUESTION,
                    ldns_rr_clone (ldns_rr_list_rr (ldns_pkt_question (q), 0)));
  return reply;
}

enum dns_verdict
dns_answer (const uint8_t *query, size_t len, const struct dns_record *records, size_t n_records,
            uint8_t **reply_wire, size_t *reply_len)
{
  ldns_pkt *q = parse_query (query, len);
  if (q == NULL)
    return DNS_DROP;
  ldns_pkt *reply = reply_to (q);
  enum dns_verdict verdict = DNS_FORWARD;
  if (answer_question (reply, ldns_rr_list_rr (ldns_pkt_question (q), 0), records, n_records)
      && ldns_pkt2wire (reply_wire, reply, reply_len) == LDNS_STATUS_OK)
    verdict = DNS_ANSWER;
  ldns_pkt_free (reply);
  ldns_pkt_free (q);
  return verdict;
}

bool
dns_server_failure (const uint8_t *query, size_t len, uint8_t **reply_wire, size_t *reply_len)
{
  ldns_pkt *q = parse_query (query, len);
  if (q == NULL)
    return false;
  ldns_pkt *reply = reply_to (q);
  ldns_pkt_set_aa (reply, false);
  ldns_pkt_set_rcode (reply, LDNS_RCODE_SERVFAIL);
  bool built = ldns_pkt2wire (reply_wire, reply, reply_len) == LDNS_STATUS_OK;
  ldns_pkt_free (reply);
  ldns_pkt_free (q);
  return built;
}

size_t
dns_udp_limit (const uint8_t *query, size_t len)
{
  ldns_pkt *q = NULL;
  size_t limit = DNS_UDP_MIN;
  if (ldns_wire2pkt (&q, query, len) != LDNS_STATUS_OK)
    return limit;
  if (ldns_pkt_edns (q) && ldns_pkt_edns_udp_size (q) > limit)
    limit = ldns_pkt_edns_udp_size (q);
  ldns_pkt_free (q);
  return limit;
}

/* R's EDNS0 (its OPT record's fields, not its options) into T. */
static void
copy_edns (ldns_pkt *t, const ldns_pkt *r)
{
  if (!ldns_pkt_edns (r))
    return;
  /* a size below 512 means 512 (RFC 6891 6.2.5); one is needed for
   * ldns to write the OPT record */
  uint16_t size = ldns_pkt_edns_udp_size (r);
  ldns_pkt_set_edns_udp_size (t, size < DNS_UDP_MIN ? DNS_UDP_MIN : size);
  ldns_pkt_set_edns_extended_rcode (t, ldns_pkt_edns_extended_rcode (r));
  ldns_pkt_set_edns_version (t, ldns_pkt_edns_version (r));
  ldns_pkt_set_edns_z (t, ldns_pkt_edns_z (r));
}

bool
dns_truncate (const uint8_t *reply, size_t len, uint8_t **out, size_t *out_len)
{
  ldns_pkt *r = NULL;
  if (ldns_wire2pkt (&r, reply, len) != LDNS_STATUS_OK)
    return false;
  bool built = false;
  if (ldns_pkt_qr (r) && ldns_rr_list_rr_count (ldns_pkt_question (r)) == 1)
    {
      ldns_pkt *t = ldns_pkt_new ();
      ldns_pkt_set_id (t, ldns_pkt_id (r));
      ldns_pkt_set_qr (t, true);
      ldns_pkt_set_opcode (t, ldns_pkt_get_opcode (r));
      ldns_pkt_set_aa (t, ldns_pkt_aa (r));
      ldns_pkt_set_tc (t, true);
      ldns_pkt_set_rd (t, ldns_pkt_rd (r));
      ldns_pkt_set_ra (t, ldns_pkt_ra (r));
      ldns_pkt_set_ad (t, ldns_pkt_ad (r));
      ldns_pkt_set_cd (t, ldns_pkt_cd (r));
      ldns_pkt_set_rcode (t, ldns_pkt_get_rcode (r));
      ldns_pkt_push_rr (t, LDNS_SECTION_QUESTION,
                        ldns_rr_clone (ldns_rr_list_rr (ldns_pkt_question (r), 0)));
      copy_edns (t, r);
      built = ldns_pkt2wire (out, t, out_len) == LDNS_STATUS_OK;
      ldns_pkt_free (t);
    }
  ldns_pkt_free (r);
  return built;
}
