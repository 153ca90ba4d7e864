/* SPDX-License-Identifier: Apache-2.0 */
/* hako-dns's pure parts: the TCP framing (RFC 7766) and the SERVFAIL of
 * an internal network's server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dns/dns-answer.h"
#include "dns/dns-tcp-frame.h"

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

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_frame_split_and_pipelined),
    cmocka_unit_test (test_frame_bad_lengths),
    cmocka_unit_test (test_server_failure),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
