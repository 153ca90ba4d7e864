/* SPDX-License-Identifier: Apache-2.0 */
/* The resolution of plain scalars, shared by the reader and the writer
 * (which quotes a string that would read back as something else). */
#ifndef HAKO_YAML_YAML_SCALAR_H
#define HAKO_YAML_YAML_SCALAR_H

#include "yaml.h"

#include <stdbool.h>

/* 1 true, 0 false, -1 not a boolean. */
int yaml_scalar_bool (const char *text, bool yaml11);

/* 1 and *OUT: an integer; 0: an integer out of the 64-bit range; -1: not
 * an integer. */
int yaml_scalar_int (const char *text, bool yaml11, long long *out);

bool yaml_scalar_float (const char *text, double *out);

/* .inf, -.inf, .nan: floats JSON cannot hold. */
bool yaml_scalar_is_special_float (const char *text);

#endif
