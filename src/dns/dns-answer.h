/* SPDX-License-Identifier: Apache-2.0 */
/* The answers of a network's DNS server (hako-dns): a query's message
 * parsed and the reply built with ldns (no hand-parsing of packets), from
 * the names of the network's containers.  Pure: no I/O, so it is what the
 * fuzz target feeds (fuzz-dns-query). */
#ifndef HAKO_DNS_ANSWER_H
#define HAKO_DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A name a container answers to (its name, an alias, its short ID) and
 * one of its addresses (IPv4 or IPv6, without prefix). */
struct dns_record
{
  const char *name;
  const char *address;
};

enum dns_verdict
{
  DNS_ANSWER,  /* *REPLY is the answer */
  DNS_FORWARD, /* not ours: ask the host's resolvers */
  DNS_DROP,    /* not a query we answer at all (malformed, a response...) */
};

/* What to do with the message QUERY of LEN bytes, given the network's
 * RECORDS.  A/AAAA for a known name (every address: replicas), PTR for a
 * known address (in-addr.arpa or ip6.arpa); an empty answer for a known
 * name without an address of the asked family.  The reply is malloc'ed. */
enum dns_verdict dns_answer (const uint8_t *query, size_t len, const struct dns_record *records,
                             size_t n_records, uint8_t **reply, size_t *reply_len);

/* The SERVFAIL reply to QUERY (a query dns_answer would forward), what
 * Docker's embedded server answers when no upstream can be asked: the
 * server of an internal network, which has no way out.  False when QUERY
 * is no query (dns_answer says DNS_DROP for it).  The reply is malloc'ed. */
bool dns_server_failure (const uint8_t *query, size_t len, uint8_t **reply, size_t *reply_len);

/* The longest reply a client takes over UDP without EDNS0 (RFC 1035
 * 4.2.1). */
#define DNS_UDP_MIN 512

/* The longest reply the client of QUERY takes over UDP: DNS_UDP_MIN, or
 * the payload size its EDNS0 OPT record gives when larger (RFC 6891);
 * DNS_UDP_MIN for a message ldns cannot parse. */
size_t dns_udp_limit (const uint8_t *query, size_t len);

/* REPLY (a response from an upstream, too long for its UDP client) as it
 * goes instead: its header with TC set, so that the client asks again
 * over TCP, its question and its EDNS0 fields, no record (RFC 1035 4.1.1,
 * RFC 2181 9: a partial RRset is left out).  False when REPLY is not a
 * response with one question that ldns can parse.  *OUT is malloc'ed. */
bool dns_truncate (const uint8_t *reply, size_t len, uint8_t **out, size_t *out_len);

#endif
