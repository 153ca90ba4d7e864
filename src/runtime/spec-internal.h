/* SPDX-License-Identifier: Apache-2.0 */
/* Parser pieces shared between spec.c, spec-linux.c and spec-resources.c. */
#ifndef HAKO_RUNTIME_SPEC_INTERNAL_H
#define HAKO_RUNTIME_SPEC_INTERNAL_H

#include "spec.h"

int spec_parse_linux (json_t *root, struct oci_spec *spec, struct hk_error **err);
void spec_linux_clear (struct oci_linux *linux);
/* Checks between fields: namespaces that a setting needs, sysctls. */
int spec_check (const struct oci_spec *spec, struct hk_error **err);
int spec_parse_id_mappings (json_t *obj, const char *path, const char *key,
                            struct oci_id_mapping **out, size_t *n, struct hk_error **err);
bool spec_mount_type_known (const char *type);
int spec_parse_scheduler (json_t *process, const char *path, struct oci_process *p,
                          struct hk_error **err);
int spec_parse_io_priority (json_t *process, const char *path, struct oci_process *p,
                            struct hk_error **err);

#endif
