/* SPDX-License-Identifier: Apache-2.0 */
/* hako-dns's pure parts: the TCP framing (RFC 7766), the SERVFAIL of
 * an internal network's server, a UDP client's reply size and the
 * truncation of a reply too long for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dns/dns-answer.h"
#include "dns/dns-tcp-frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A query for web A with ID 0x1234 (21 bytes: header, 3web, 0, type, class). */
static const uint8_t query[]
    = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'e', 'b', 0, 0, 1, 0, 1 };

static void
feed (struct dns_tcp_frame *f, const uint8_t *bytes, size_t n)
{
  size_t room;
  uint8_t *space = dns_tcp_frame_space (f, &room);
  assert_true (n <= room);
  memcpy (space, bytes, n);
  dns_tcp_frame_filled (f, n);
}

static void
test_frame_split_and_pipelined (void **state)
{
  (void)state;
  static struct dns_tcp_frame f;
  uint8_t framed[2 * (2 + sizeof query)];
  for (size_t i = 0; i < 2; i++)
    {
      framed[i * (2 + sizeof query)] = 0;
      framed[i * (2 + sizeof query) + 1] = sizeof query;
      memcpy (framed + i * (2 + sizeof query) + 2, query, sizeof query);
    }
  static uint8_t out[DNS_MESSAGE_MAX];
  size_t len = 0;
  /* one byte of the length: nothing yet */
  feed (&f, framed, 1);
  assert_int_equal (dns_tcp_frame_next (&f, out, &len), DNS_FRAME_MORE);
  /* the length and half the message: nothing yet */
  feed (&f, framed + 1, 11);
  assert_int_equal (dns_tcp_frame_next (&f, out, &len), DNS_FRAME_MORE);
  /* the rest and the whole second: two messages */
  feed (&f, framed + 12, sizeof framed - 12);
  for (int i = 0; i < 2; i++)
    {
      assert_int_equal (dns_tcp_frame_next (&f, out, &len), DNS_FRAME_MESSAGE);
      assert_int_equal (len, sizeof query);
      assert_memory_equal (out, query, sizeof query);
    }
  assert_int_equal (dns_tcp_frame_next (&f, out, &len), DNS_FRAME_MORE);
  assert_int_equal (f.have, 0);
}

static void
test_frame_bad_lengths (void **state)
{
  (void)state;
  static struct dns_tcp_frame f;
  static uint8_t out[DNS_MESSAGE_MAX];
  size_t len = 0;
  feed (&f, (const uint8_t[]){ 0, 0 }, 2);
  assert_int_equal (dns_tcp_frame_next (&f, out, &len), DNS_FRAME_BAD);
  f.have = 0;
  feed (&f, (const uint8_t[]){ (DNS_MESSAGE_MAX + 1) >> 8, (DNS_MESSAGE_MAX + 1) & 0xff }, 2);
  assert_int_equal (dns_tcp_frame_next (&f, out, &len), DNS_FRAME_BAD);
  /* the largest message fills the buffer exactly, and is taken */
  f.have = 0;
  feed (&f, (const uint8_t[]){ DNS_MESSAGE_MAX >> 8, DNS_MESSAGE_MAX & 0xff }, 2);
  size_t room;
  dns_tcp_frame_space (&f, &room);
  assert_int_equal (room, DNS_MESSAGE_MAX);
  static uint8_t body[DNS_MESSAGE_MAX];
  feed (&f, body, sizeof body);
  assert_int_equal (dns_tcp_frame_next (&f, out, &len), DNS_FRAME_MESSAGE);
  assert_int_equal (len, DNS_MESSAGE_MAX);
}

static void
test_server_failure (void **state)
{
  (void)state;
  uint8_t *reply = NULL;
  size_t len = 0;
  assert_true (dns_server_failure (query, sizeof query, &reply, &len));
  assert_true (len >= sizeof query);
  assert_int_equal (reply[0], 0x12);
  assert_int_equal (reply[1], 0x34);
  assert_true (reply[2] & 0x80);         /* a response */
  assert_int_equal (reply[3] & 0x0f, 2); /* SERVFAIL */
  assert_int_equal (reply[5], 1);        /* the question kept */
  assert_int_equal (reply[7], 0);        /* no answer */
  free (reply);
  /* a response is no query */
  uint8_t response[sizeof query];
  memcpy (response, query, sizeof query);
  response[2] |= 0x80;
  reply = NULL;
  assert_false (dns_server_failure (response, sizeof response, &reply, &len));
  assert_null (reply);
}

/* QUERY with an EDNS0 OPT record of payload size SIZE, in OUT (32 bytes). */
static void
query_with_edns (uint16_t size, uint8_t *out)
{
  memcpy (out, query, sizeof query);
  out[11] = 1; /* ARCOUNT */
  const uint8_t opt[] = { 0, 0, 41, (uint8_t)(size >> 8), (uint8_t)size, 0, 0, 0, 0, 0, 0 };
  memcpy (out + sizeof query, opt, sizeof opt);
}

static void
test_udp_limit (void **state)
{
  (void)state;
  uint8_t with_edns[sizeof query + 11];
  assert_int_equal (dns_udp_limit (query, sizeof query), 512);
  query_with_edns (4096, with_edns);
  assert_int_equal (dns_udp_limit (with_edns, sizeof with_edns), 4096);
  query_with_edns (65000, with_edns);
  assert_int_equal (dns_udp_limit (with_edns, sizeof with_edns), 65000);
  /* below 512 counts as 512 (RFC 6891) */
  query_with_edns (100, with_edns);
  assert_int_equal (dns_udp_limit (with_edns, sizeof with_edns), 512);
  assert_int_equal (dns_udp_limit ((const uint8_t *)"\x12\x34", 2), 512);
}

static void
test_truncate (void **state)
{
  (void)state;
  /* an answer with 60 addresses: 60 * 16 bytes, over 512 */
  static struct dns_record many[60];
  static char addresses[60][16];
  for (int i = 0; i < 60; i++)
    {
      snprintf (addresses[i], sizeof addresses[i], "10.0.0.%d", i + 1);
      many[i] = (struct dns_record){ "web", addresses[i] };
    }
  uint8_t *answer = NULL, *cut = NULL;
  size_t answer_len = 0, cut_len = 0;
  assert_int_equal (dns_answer (query, sizeof query, many, 60, &answer, &answer_len), DNS_ANSWER);
  assert_true (answer_len > 512);
  assert_true (dns_truncate (answer, answer_len, &cut, &cut_len));
  assert_int_equal (cut_len, sizeof query); /* the header and the question */
  assert_memory_equal (cut, "\x12\x34", 2);
  assert_true (cut[2] & 0x80);                          /* a response */
  assert_true (cut[2] & 0x02);                          /* TC */
  assert_memory_equal (cut + 4, "\0\1\0\0\0\0\0\0", 8); /* one question, no record */
  assert_memory_equal (cut + 12, query + 12, sizeof query - 12);
  free (cut);
  free (answer);
  /* a response with EDNS0 keeps its OPT record */
  uint8_t with_edns[sizeof query + 11];
  query_with_edns (4096, with_edns);
  with_edns[2] |= 0x80;
  cut = NULL;
  assert_true (dns_truncate (with_edns, sizeof with_edns, &cut, &cut_len));
  assert_int_equal (cut_len, sizeof with_edns);
  assert_true (cut[2] & 0x02);
  assert_int_equal (cut[11], 1);
  assert_memory_equal (cut + sizeof query, with_edns + sizeof query, 11);
  free (cut);
  /* a query, or no message at all, is no reply to cut */
  cut = NULL;
  assert_false (dns_truncate (query, sizeof query, &cut, &cut_len));
  assert_false (dns_truncate ((const uint8_t *)"\x12\x34\x81", 3, &cut, &cut_len));
  assert_null (cut);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_frame_split_and_pipelined),
    cmocka_unit_test (test_frame_bad_lengths),
    cmocka_unit_test (test_server_failure),
    cmocka_unit_test (test_udp_limit),
    cmocka_unit_test (test_truncate),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
