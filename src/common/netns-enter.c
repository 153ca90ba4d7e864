/* SPDX-License-Identifier: Apache-2.0 */
#include "netns-enter.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>

int
netns_enter_path (const char *path, struct hk_error **err)
{
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open the network namespace `%s`", path);
  if (setns (fd, CLONE_NEWNET) < 0)
    return hk_error_errno (err, errno, "enter the network namespace `%s`", path);
  return 0;
}
