/* SPDX-License-Identifier: Apache-2.0 */
#include "dns-answer.h"

#include <arpa/inet.h>
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

/* "4.3.2.1.in-addr.arpa" into "1.2.3.4" in OUT; false if it is not one. */
static bool
reverse_ipv4 (const char *name, char out[INET_ADDRSTRLEN])
{
  unsigned a, b, c, d;
  char tail[32];
  if (sscanf (name, "%3u.%3u.%3u.%3u.%31s", &d, &c, &b, &a, tail) != 5
      || strcmp (tail, "in-addr.arpa") != 0 || a > 255 || b > 255 || c > 255 || d > 255)
    return false;
  snprintf (out, INET_ADDRSTRLEN, "%u.%u.%u.%u", a, b, c, d);
  return true;
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
  char name[256], addr[INET_ADDRSTRLEN];
  const ldns_rdf *owner = ldns_rr_owner (question);
  ldns_rr_type type = ldns_rr_get_type (question);
  if (ldns_rr_get_class (question) != LDNS_RR_CLASS_IN || !owner_text (owner, name, sizeof name))
    return false;
  bool ours = false;
  if (type == LDNS_RR_TYPE_PTR && reverse_ipv4 (name, addr))
    {
      for (size_t i = 0; i < n && !ours; i++)
        if (strcmp (records[i].address, addr) == 0)
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

enum dns_verdict
dns_answer (const uint8_t *query, size_t len, const struct dns_record *records, size_t n_records,
            uint8_t **reply_wire, size_t *reply_len)
{
  ldns_pkt *q = NULL;
  if (ldns_wire2pkt (&q, query, len) != LDNS_STATUS_OK)
    return DNS_DROP;
  enum dns_verdict verdict = DNS_DROP;
  ldns_rr_list *questions = ldns_pkt_question (q);
  if (ldns_pkt_qr (q) || ldns_pkt_get_opcode (q) != LDNS_PACKET_QUERY
      || ldns_rr_list_rr_count (questions) != 1)
    goto out;
  ldns_pkt *reply = ldns_pkt_new ();
  ldns_pkt_set_id (reply, ldns_pkt_id (q));
  ldns_pkt_set_qr (reply, true);
  ldns_pkt_set_aa (reply, true);
  ldns_pkt_set_rd (reply, ldns_pkt_rd (q));
  ldns_pkt_set_ra (reply, true);
  const ldns_rr *question = ldns_rr_list_rr (questions, 0);
  ldns_pkt_push_rr (reply, LDNS_SECTION_QUESTION, ldns_rr_clone (question));
  verdict = DNS_FORWARD;
  if (answer_question (reply, question, records, n_records)
      && ldns_pkt2wire (reply_wire, reply, reply_len) == LDNS_STATUS_OK)
    verdict = DNS_ANSWER;
  ldns_pkt_free (reply);
out:
  ldns_pkt_free (q);
  return verdict;
}
