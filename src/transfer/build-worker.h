/* SPDX-License-Identifier: Apache-2.0 */
/* The builder's worker in hako-transfer (build-worker.c), and ADD's
 * download of a URL (build-fetch.c). */
#ifndef HAKO_TRANSFER_BUILD_WORKER_H
#define HAKO_TRANSFER_BUILD_WORKER_H

#include "builder/builder.h"

extern const struct build_worker build_transfer_worker;

/* URL into FD: the body hashed while it streams, CHECKSUM ("sha256:…", or
 * NULL) checked; its digest in DIGEST, Last-Modified in *MTIME (-1 when
 * none). */
int build_fetch (const char *url, int fd, const char *checksum, char digest[DIGEST_STRING_SIZE],
                 int64_t *mtime, struct hk_error **err);

#endif
