/* SPDX-License-Identifier: Apache-2.0 */
/* Naming the option getopt_long refused.  With opterr = 0 it prints
 * nothing and returns '?' for every kind of mistake; what it leaves in
 * optind and optopt tells which option and, mostly, which mistake:
 *  - a long option: optind is past it; optopt is 0 when no option has
 *    that name, else the option's value (then it lacks or has an
 *    argument it should not);
 *  - a short option inside a cluster (-xq): optind still names the
 *    cluster; at its end (-qx): optind is past it, and at the end of the
 *    command line an unknown letter and one missing its argument look
 *    the same, unless the caller knows the short options getopt was
 *    given. */
#include "cli-option-error.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

static bool
is_cluster_with (const char *arg, int letter)
{
  return arg != NULL && arg[0] == '-' && arg[1] != '-' && arg[1] != '\0'
         && strchr (arg + 1, letter) != NULL;
}

static int
long_option_error (struct hk_error **err, const char *command, const char *help, const char *arg)
{
  const char *eq = strchr (arg, '=');
  int len = eq ? (int)(eq - arg) : (int)strlen (arg);
  if (optopt == 0)
    return hk_error_set (err, EINVAL, "unknown option %.*s for %s (see %s --help)", len, arg,
                         command, help);
  if (eq != NULL)
    return hk_error_set (err, EINVAL, "option %.*s of %s takes no argument", len, arg, command);
  return hk_error_set (err, EINVAL, "option %s of %s needs an argument", arg, command);
}

int
cli_option_error (struct hk_error **err, const char *command, const char *help,
                  const char *shortopts, char **argv)
{
  if (optopt != 0 && is_cluster_with (argv[optind], optopt))
    return hk_error_set (err, EINVAL, "unknown option -%c for %s (see %s --help)", optopt,
                         command, help);
  const char *arg = optind > 0 ? argv[optind - 1] : NULL;
  if (arg != NULL && strncmp (arg, "--", 2) == 0)
    return long_option_error (err, command, help, arg);
  bool known = shortopts != NULL && optopt != ':' && strchr (shortopts, optopt) != NULL;
  if (known)
    return hk_error_set (err, EINVAL, "option -%c of %s needs an argument", optopt, command);
  if (argv[optind] != NULL || shortopts != NULL)
    return hk_error_set (err, EINVAL, "unknown option -%c for %s (see %s --help)", optopt,
                         command, help);
  return hk_error_set (err, EINVAL,
                       "option -%c of %s is unknown or needs an argument (see %s --help)",
                       optopt, command, help);
}
