/* SPDX-License-Identifier: Apache-2.0 */
#include "caps.h"
#include "common/cleanup.h"
#include "common/fs-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/prctl.h>

int
caps_last_cap (void)
{
  /* cap_max_bits() asks the kernel (PR_CAPBSET_READ probing). */
  return (int) cap_max_bits () - 1;
}

int
caps_prepare (const struct oci_capabilities *caps, struct hk_error **err)
{
  int last = caps_last_cap ();
  for (int c = 0; c <= last; c++)
    {
      if (caps->bounding & (UINT64_C (1) << c))
        continue;
      if (cap_drop_bound ((cap_value_t) c) < 0 && errno != EINVAL)
        return hk_error_errno (err, errno, "drop capability %s from the bounding set",
                               cap_to_name ((cap_value_t) c));
    }
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return hk_error_errno (err, errno, "prctl(PR_SET_KEEPCAPS)");
  return 0;
}

static void
set_flag (cap_t c, cap_flag_t flag, uint64_t mask, int last)
{
  for (int i = 0; i <= last; i++)
    if (mask & (UINT64_C (1) << i))
      {
        cap_value_t v = (cap_value_t) i;
        cap_set_flag (c, flag, 1, &v, CAP_SET);
      }
}

int
caps_apply (const struct oci_capabilities *caps, bool keep_sys_admin, struct hk_error **err)
{
  int last = caps_last_cap ();
  cap_t c = cap_init ();
  if (c == NULL)
    return hk_error_errno (err, errno, "cap_init");
  uint64_t borrowed = keep_sys_admin ? UINT64_C (1) << CAP_SYS_ADMIN : 0;
  set_flag (c, CAP_EFFECTIVE, caps->effective | borrowed, last);
  set_flag (c, CAP_PERMITTED, caps->permitted | caps->effective | borrowed, last);
  set_flag (c, CAP_INHERITABLE, caps->inheritable, last);
  int r = cap_set_proc (c);
  int saved = errno;
  cap_free (c);
  if (r < 0)
    return hk_error_errno (err, saved, "set the capabilities of the container process");
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return hk_error_errno (err, errno, "prctl(PR_SET_KEEPCAPS)");
  if (cap_reset_ambient () < 0 && errno != EINVAL)
    return hk_error_errno (err, errno, "clear the ambient capabilities");
  /* The kernel raises an ambient capability only when it is permitted and
   * inheritable.  Configs often list ambient ones without inheritable
   * (runc's default spec does), and runc skips those: so do we. */
  uint64_t ambient = caps->ambient & caps->inheritable & (caps->permitted | caps->effective);
  for (int i = 0; i <= last; i++)
    if ((ambient & (UINT64_C (1) << i)) && cap_set_ambient ((cap_value_t) i, CAP_SET) < 0)
      return hk_error_errno (err, errno, "process.capabilities.ambient: raise capability %d", i);
  return 0;
}

void
caps_warn_ungrantable (const struct oci_process *p, const struct hk_log *log)
{
  for (size_t i = 0; p->warnings != NULL && p->warnings[i] != NULL; i++)
    hk_warn (log, "%s", p->warnings[i]);
  const struct oci_capabilities *c = &p->capabilities;
  uint64_t all = c->bounding | c->effective | c->inheritable | c->permitted | c->ambient;
  for (int cap = caps_last_cap () + 1; cap < 64; cap++)
    if (all & (UINT64_C (1) << cap))
      hk_warn (log, "process.capabilities: capability %d is unknown to this kernel, ignored",
               cap);
}
