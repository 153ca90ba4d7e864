/* SPDX-License-Identifier: Apache-2.0 */
/* The attach protocol between a container's monitor and its clients
 * (`hako run` in the foreground, `hako attach`, `hako start -a`), over the
 * unix socket RUNDIR/attach.  Frames both ways: a type byte, a 32-bit
 * big-endian length, the payload. */
#ifndef HAKO_MONITOR_ATTACH_PROTOCOL_H
#define HAKO_MONITOR_ATTACH_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

enum attach_frame
{
  ATTACH_STDIN = 0,  /* client -> monitor: bytes for the container's stdin */
  ATTACH_STDOUT = 1, /* monitor -> client */
  ATTACH_STDERR = 2, /* monitor -> client */
  ATTACH_EXIT = 3,   /* monitor -> client: the exit code, as decimal text */
  ATTACH_RESIZE = 4, /* client -> monitor: "ROWS COLS" */
  ATTACH_CLOSE_STDIN = 5, /* client -> monitor: end of input */
  ATTACH_START = 6,  /* client -> monitor: start the container now */
};

#define ATTACH_HEADER 5
#define ATTACH_MAX_PAYLOAD 65536

static inline void
attach_header (uint8_t out[ATTACH_HEADER], enum attach_frame type, size_t len)
{
  out[0] = (uint8_t) type;
  out[1] = (uint8_t) (len >> 24);
  out[2] = (uint8_t) (len >> 16);
  out[3] = (uint8_t) (len >> 8);
  out[4] = (uint8_t) len;
}

static inline size_t
attach_length (const uint8_t header[ATTACH_HEADER])
{
  return ((size_t) header[1] << 24) | ((size_t) header[2] << 16) | ((size_t) header[3] << 8)
         | header[4];
}

#endif
