/* SPDX-License-Identifier: Apache-2.0 */
/* Messages between the runtime (parent) and the container's first process
 * (child) while the container is being set up, over a SOCK_SEQPACKET
 * socketpair: each message is one packet, optionally carrying an fd. */
#ifndef HAKO_RUNTIME_SYNC_H
#define HAKO_RUNTIME_SYNC_H

#include "common/error.h"

enum sync_type
{
  SYNC_GO = 1,       /* parent -> child: ids mapped, cgroups joined; go on */
  SYNC_HOOKS,        /* child -> parent: mounts done, run createRuntime hooks */
  SYNC_HOOKS_DONE,   /* parent -> child */
  SYNC_PTY,          /* child -> parent: the pty master (fd attached) */
  SYNC_SECCOMP,      /* child -> parent: the seccomp notify listener (fd attached) */
  SYNC_READY,        /* child -> parent: set up, about to wait or exec */
  SYNC_READY_ACK,    /* parent -> child: state recorded; exec now */
  SYNC_ERROR,        /* child -> parent: text is the error message */
  SYNC_EXEC_FAILED,  /* child -> parent: no program to execute (before ready), or execve failed */
  SYNC_NODE,         /* device helper -> runtime: a node's detached tree (fd attached) */
};

struct sync_msg
{
  enum sync_type type;
  int errnum;
  char *text; /* malloc'd, may be NULL */
  int fd;     /* received fd, or -1 */
};

/* Sends a message; FD >= 0 is passed along (SCM_RIGHTS). */
int sync_send (int sock, enum sync_type type, int errnum, const char *text, int fd,
               struct hk_error **err);

/* Receives one message.  Returns 0, or -1 with *ERR set; a peer that
 * closed the socket is an error with errnum EPIPE. */
int sync_recv (int sock, struct sync_msg *msg, struct hk_error **err);

/* Sends an error as SYNC_ERROR (ignoring failure: the child is dying). */
void sync_send_error (int sock, const struct hk_error *e);

/* Waits for a message of TYPE; a SYNC_ERROR becomes *ERR. */
int sync_expect (int sock, enum sync_type type, struct sync_msg *msg, struct hk_error **err);

void sync_msg_clear (struct sync_msg *msg);

/* After READY_ACK the process execs its program: the socket closes at a
 * successful exec (close-on-exec), or carries EXEC_FAILED, which becomes
 * *ERR (errnum ENOENT or EACCES, for exit codes 127 and 126). */
int sync_await_exec (int sock, struct hk_error **err);

/* Sends FD over a connected unix socket (the --console-socket protocol of
 * runc: the pty master with a short name in the payload). */
int sync_send_fd (int sock, int fd, const char *name, struct hk_error **err);

#endif
