/* SPDX-License-Identifier: Apache-2.0 */
#include "random-id.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

char *
random_id (void)
{
  unsigned char bytes[32];
  ssize_t n;
  while ((n = getrandom (bytes, sizeof bytes, 0)) < 0 && errno == EINTR)
    ;
  /* As with xmalloc: a kernel that cannot give 32 random bytes is not one
   * to run on, and a made-up ID could collide. */
  if (n != (ssize_t)sizeof bytes)
    abort ();
  char *hex = xmalloc (2 * sizeof bytes + 1);
  for (size_t i = 0; i < sizeof bytes; i++)
    snprintf (hex + 2 * i, 3, "%02x", bytes[i]);
  return hex;
}

/* "adjective_noun", like Docker's names. */
char *
random_name (void)
{
  static const char *const adjectives[]
      = { "brave", "calm",    "clever", "eager",  "fond",   "gentle", "happy",  "jolly",
          "keen",  "kind",    "lucid",  "merry",  "nimble", "proud",  "quiet",  "quirky",
          "sharp", "silly",   "sleepy", "steady", "swift",  "tender", "upbeat", "vivid",
          "wise",  "zealous", "bold",   "crisp",  "dreamy", "festive" };
  static const char *const nouns[]
      = { "hopper",   "turing",  "lovelace", "curie",    "noether", "dijkstra",
          "knuth",    "ritchie", "thompson", "torvalds", "perlman", "liskov",
          "hamilton", "shannon", "babbage",  "euler",    "gauss",   "kepler",
          "pascal",   "fermat",  "hypatia",  "tesla",    "bohr",    "planck",
          "darwin",   "galileo", "newton",   "wozniak",  "kay",     "mccarthy" };
  unsigned char r[2];
  if (getrandom (r, 2, 0) != 2)
    r[0] = r[1] = 0;
  return xasprintf ("%s_%s", adjectives[r[0] % 30], nouns[r[1] % 30]);
}
