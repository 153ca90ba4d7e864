/* SPDX-License-Identifier: Apache-2.0 */
/* checkpoint and restore, through the `criu` program.
 *
 * criu_argv() turns the options and the container's config into criu's
 * command line; it is pure, so the translation is unit-tested even on
 * hosts where criu cannot run (criu 3.17 fails its `criu check` on kernels
 * newer than it knows).  criu_check() runs before anything is changed and
 * reports criu's own words when it fails. */
#ifndef HAKO_RUNTIME_CHECKPOINT_H
#define HAKO_RUNTIME_CHECKPOINT_H

#include "cgroup.h"
#include "container.h"
#include "spec.h"

#include <stdbool.h>
#include <sys/types.h>

enum criu_op
{
  CRIU_PRE_DUMP, /* memory only, the container keeps running */
  CRIU_DUMP,
  CRIU_RESTORE,
};

/* An external namespace: one the container joined (by path) rather than
 * made, named to criu by its inode on dump and handed over as an fd on
 * restore. */
struct criu_external_ns
{
  const char *type;  /* "net", "pid", ... as criu names them */
  unsigned long inode;
  int fd;            /* restore: the namespace to join, or -1 */
};

struct criu_request
{
  enum criu_op op;
  const struct oci_spec *spec;
  const char *bundle;       /* relative bind sources */
  const char *rootfs;       /* restore: the container's root */
  const char *images_dir;
  const char *work_dir;     /* NULL: images_dir */
  pid_t pid;                /* dump: the container's first process */
  const char *parent_path;  /* dump: a pre-dump's images, relative to images_dir */
  char **masked_files;      /* dump: the masked paths that are files (/dev/null binds) */
  const char *pidfile;      /* restore: where criu writes the restored pid */
  const struct cgroup *cgroup; /* restore: where the processes go; both: the
                                * directories bound when there is no cgroup namespace */
  bool leave_running, tcp_established, file_locks, ext_unix_sk, shell_job;
  bool empty_netns; /* --empty-ns network: the network namespace's contents are not saved */
  const char *manage_cgroups_mode; /* "soft" (default), "full", "strict", "ignore" */
  const char *freeze_cgroup; /* dump of a paused container: its frozen cgroup, or NULL */
  const struct criu_external_ns *external_ns;
  size_t n_external_ns;
  int console_fd;           /* restore with a terminal: the new pty slave, or -1 */
  const char *console_key;  /* the terminal as criu named it on dump */
  const char *console_path; /* restore: the new slave's path, bound on /dev/console */
  const char *stdio_pipes[3]; /* restore: the dumped stdio pipes ("pipe:[INODE]"), or NULL */
  int stdio_fds[3];           /* ... and the fds (copies of the caller's 0-2) that replace them */
};

/* Where a dump keeps its terminal's key (in the images directory). */
#define CRIU_TTY_KEY_FILE "hako-tty.key"
/* ... and what the container's fds 0, 1 and 2 were, one line each. */
#define CRIU_STDIO_FILE "hako-stdio"

/* criu's argv (argv[0] = CRIU); free with strv_free. */
char **criu_argv (const char *criu, const struct criu_request *req);

/* Runs criu with REQ; a failure quotes the last error lines of criu's log
 * and names the log. */
int criu_run (const char *criu, const struct criu_request *req, struct hk_error **err);

/* CONFIGURED, or "criu" (looked up in $PATH). */
const char *criu_program (const char *configured);

/* Runs `CRIU check`; on failure the error quotes criu's output. */
int criu_check (const char *criu, struct hk_error **err);

struct checkpoint_options
{
  const char *id;
  const char *image_path;
  const char *work_path;
  const char *parent_path; /* a pre-dump's images, relative to image_path */
  bool pre_dump, leave_running, tcp_established, file_locks, ext_unix_sk, shell_job, empty_netns;
  const char *manage_cgroups_mode;
  const char *criu; /* the criu program; NULL: "criu" from $PATH */
  bool criu_checked; /* the caller ran criu_check already (the engine) */
};

int container_checkpoint (const struct runtime_context *ctx, const struct checkpoint_options *opts,
                          struct hk_error **err);

struct restore_options
{
  struct create_options create;
  const char *image_path;
  const char *work_path;
  bool detach, tcp_established, file_locks, ext_unix_sk, shell_job, empty_netns;
  const char *manage_cgroups_mode;
  const char *criu;
};

/* Restores a checkpointed container as ID from BUNDLE's config; in the
 * foreground it waits and stores the exit status in *EXIT_STATUS. */
int container_restore (const struct runtime_context *ctx, const struct restore_options *opts,
                       int *exit_status, struct hk_error **err);

#endif
