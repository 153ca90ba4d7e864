/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime-spec "features" document: what this runtime implements. */
#ifndef HAKO_RUNTIME_FEATURE_LIST_H
#define HAKO_RUNTIME_FEATURE_LIST_H

#include <jansson.h>

json_t *features_document (void);

#endif
