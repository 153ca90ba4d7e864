/* SPDX-License-Identifier: Apache-2.0 */
#include "seccomp.h"
#include "seccomp-cache.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Bump when the compiled form changes, so old cache entries are ignored. */
#define CACHE_FORMAT "hako-seccomp-1"

static int
parse_action (const char *name, uint32_t errno_ret, bool has_errno, uint32_t *out)
{
  if (strcmp (name, "SCMP_ACT_KILL") == 0 || strcmp (name, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp (name, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (name, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp (name, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO (has_errno ? errno_ret : EPERM);
  else if (strcmp (name, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE (has_errno ? errno_ret : EPERM);
  else if (strcmp (name, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp (name, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else if (strcmp (name, "SCMP_ACT_NOTIFY") == 0)
    *out = SCMP_ACT_NOTIFY;
  else
    return -1;
  return 0;
}

static int
parse_op (const char *name, enum scmp_compare *out)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
    { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
    { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (name, ops[i].name) == 0)
      {
        *out = ops[i].op;
        return 0;
      }
  return -1;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token. */
static uint32_t
parse_arch (const char *name)
{
  if (strncmp (name, "SCMP_ARCH_", 10) != 0)
    return 0;
  char lower[32];
  size_t i;
  for (i = 0; name[10 + i] && i < sizeof lower - 1; i++)
    lower[i] = (char) tolower ((unsigned char) name[10 + i]);
  lower[i] = '\0';
  return seccomp_arch_resolve_name (lower);
}

static int
parse_flags (json_t *obj, unsigned int *flags, struct hk_error **err)
{
  _cleanup_strv_ char **names = NULL;
  if (json_get_strv (obj, "linux.seccomp", "flags", &names, err) < 0)
    return -1;
  for (size_t i = 0; names && names[i]; i++)
    {
      if (strcmp (names[i], "SECCOMP_FILTER_FLAG_TSYNC") == 0)
        *flags |= SECCOMP_FILTER_FLAG_TSYNC;
      else if (strcmp (names[i], "SECCOMP_FILTER_FLAG_LOG") == 0)
        *flags |= SECCOMP_FILTER_FLAG_LOG;
      else if (strcmp (names[i], "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
        *flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
      else if (strcmp (names[i], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
        *flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
      else
        return hk_error_set (err, EINVAL, "linux.seccomp.flags[%zu]: unknown flag `%s`", i,
                             names[i]);
    }
  return 0;
}

static int
parse_args (json_t *rule, const char *path, struct scmp_arg_cmp *args, unsigned *n,
            struct hk_error **err)
{
  json_t *arr;
  int r = json_get_array (rule, path, "args", &arr, err);
  if (r <= 0)
    return r;
  if (json_array_size (arr) > 6)
    return hk_error_set (err, EINVAL, "%s.args: a syscall has at most 6 arguments", path);
  _cleanup_free_ char *apath = json_path_key (path, "args");
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    _cleanup_free_ char *ipath = json_path_index (apath, i);
    _cleanup_free_ char *op = NULL;
    uint32_t index = 0;
    uint64_t value = 0, value_two = 0;
    if (!json_is_object (item))
      return hk_error_set (err, EINVAL, "%s: expected an object", ipath);
    if (json_require (item, ipath, "index", err) < 0 || json_require (item, ipath, "op", err) < 0
        || json_get_uint32 (item, ipath, "index", &index, err) < 0
        || json_get_uint64 (item, ipath, "value", &value, err) < 0
        || json_get_uint64 (item, ipath, "valueTwo", &value_two, err) < 0
        || json_get_string (item, ipath, "op", &op, err) < 0)
      return -1;
    if (index > 5)
      return hk_error_set (err, EINVAL, "%s.index: %u is not an argument index (0..5)", ipath,
                           index);
    enum scmp_compare cmp;
    if (parse_op (op, &cmp) < 0)
      return hk_error_set (err, EINVAL, "%s.op: unknown operator `%s`", ipath, op);
    args[(*n)++] = (struct scmp_arg_cmp) { .arg = index, .op = cmp, .datum_a = value,
                                           .datum_b = value_two };
  }
  return 0;
}

/* True when NAME is a syscall on an architecture the filter covers (it is
 * then absent only from this one, and skipped there). */
static bool
known_on_other_arch (scmp_filter_ctx ctx, const char *name, uint32_t *arches, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (seccomp_arch_exist (ctx, arches[i]) == 0
        && seccomp_syscall_resolve_name_arch (arches[i], name) != __NR_SCMP_ERROR)
      return true;
  /* libseccomp knows the name on some architecture at all? */
  static const char *const all[] = { "x86", "x86_64", "x32", "arm", "aarch64", "mips", "mips64",
                                     "ppc", "ppc64", "ppc64le", "s390", "s390x", "riscv64" };
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    {
      uint32_t a = seccomp_arch_resolve_name (all[i]);
      if (a != 0 && seccomp_syscall_resolve_name_arch (a, name) != __NR_SCMP_ERROR)
        return true;
    }
  return false;
}

struct compile_state
{
  scmp_filter_ctx ctx;
  uint32_t default_action;
  uint32_t arches[16];
  size_t n_arches;
  bool notify;
};

/* Rules with two comparisons on one argument must be split: libseccomp
 * ANDs the comparisons of one rule but refuses a repeated argument. */
static int
add_rule (struct compile_state *st, uint32_t action, int nr, struct scmp_arg_cmp *args,
          unsigned n)
{
  bool repeated = false;
  for (unsigned i = 0; i < n && !repeated; i++)
    for (unsigned j = i + 1; j < n; j++)
      repeated |= args[i].arg == args[j].arg;
  if (!repeated)
    return seccomp_rule_add_array (st->ctx, action, nr, n, args);
  for (unsigned i = 0; i < n; i++)
    {
      int r = seccomp_rule_add_array (st->ctx, action, nr, 1, &args[i]);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
compile_rule (struct compile_state *st, json_t *rule, const char *path, struct hk_error **err)
{
  _cleanup_strv_ char **names = NULL;
  _cleanup_free_ char *action_name = NULL;
  uint32_t errno_ret = 0;
  if (!json_is_object (rule))
    return hk_error_set (err, EINVAL, "%s: expected an object", path);
  if (json_require (rule, path, "names", err) < 0 || json_require (rule, path, "action", err) < 0
      || json_get_strv (rule, path, "names", &names, err) < 0
      || json_get_string (rule, path, "action", &action_name, err) < 0)
    return -1;
  int has_errno = json_get_uint32 (rule, path, "errnoRet", &errno_ret, err);
  if (has_errno < 0)
    return -1;
  uint32_t action;
  if (parse_action (action_name, errno_ret, has_errno > 0, &action) < 0)
    return hk_error_set (err, EINVAL, "%s.action: unknown action `%s`", path, action_name);
  if (has_errno > 0 && strcmp (action_name, "SCMP_ACT_ERRNO") != 0
      && strcmp (action_name, "SCMP_ACT_TRACE") != 0)
    return hk_error_set (err, EINVAL, "%s.errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one", path);
  st->notify |= action == SCMP_ACT_NOTIFY;
  struct scmp_arg_cmp args[6];
  unsigned n_args = 0;
  if (parse_args (rule, path, args, &n_args, err) < 0)
    return -1;
  if (action == st->default_action)
    return 0; /* libseccomp refuses rules that repeat the default */
  for (size_t i = 0; names[i] != NULL; i++)
    {
      int nr = seccomp_syscall_resolve_name (names[i]);
      if (nr == __NR_SCMP_ERROR)
        {
          if (known_on_other_arch (st->ctx, names[i], st->arches, st->n_arches))
            continue;
          return hk_error_set (err, EINVAL, "%s.names[%zu]: unknown syscall `%s`", path, i,
                               names[i]);
        }
      int r = add_rule (st, action, nr, args, n_args);
      if (r < 0)
        return hk_error_errno (err, -r, "%s.names[%zu]: add a rule for `%s`", path, i, names[i]);
    }
  return 0;
}

static int
compile_profile (json_t *obj, struct compile_state *st, struct seccomp_program *prog,
                 struct hk_error **err)
{
  _cleanup_free_ char *default_name = NULL;
  uint32_t default_errno = 0;
  if (json_require (obj, "linux.seccomp", "defaultAction", err) < 0
      || json_get_string (obj, "linux.seccomp", "defaultAction", &default_name, err) < 0)
    return -1;
  int has_errno = json_get_uint32 (obj, "linux.seccomp", "defaultErrnoRet", &default_errno, err);
  if (has_errno < 0)
    return -1;
  if (parse_action (default_name, default_errno, has_errno > 0, &st->default_action) < 0)
    return hk_error_set (err, EINVAL, "linux.seccomp.defaultAction: unknown action `%s`",
                         default_name);
  if (st->default_action == SCMP_ACT_NOTIFY)
    return hk_error_set (err, EINVAL, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default");
  if (parse_flags (obj, &prog->flags, err) < 0
      || json_get_string (obj, "linux.seccomp", "listenerPath", &prog->listener_path, err) < 0
      || json_get_string (obj, "linux.seccomp", "listenerMetadata", &prog->listener_metadata, err)
             < 0)
    return -1;
  st->ctx = seccomp_init (st->default_action);
  if (st->ctx == NULL)
    return hk_error_set (err, EINVAL, "linux.seccomp: libseccomp refused the default action");
  seccomp_attr_set (st->ctx, SCMP_FLTATR_CTL_NNP, 0);
  _cleanup_strv_ char **arches = NULL;
  if (json_get_strv (obj, "linux.seccomp", "architectures", &arches, err) < 0)
    return -1;
  for (size_t i = 0; arches && arches[i]; i++)
    {
      uint32_t a = parse_arch (arches[i]);
      if (a == 0)
        return hk_error_set (err, EINVAL, "linux.seccomp.architectures[%zu]: unknown architecture `%s`", i, arches[i]);
      if (st->n_arches < 16)
        st->arches[st->n_arches++] = a;
      int r = seccomp_arch_add (st->ctx, a);
      if (r < 0 && r != -EEXIST)
        return hk_error_errno (err, -r, "linux.seccomp.architectures[%zu]: add `%s`", i, arches[i]);
    }
  json_t *rules;
  int r = json_get_array (obj, "linux.seccomp", "syscalls", &rules, err);
  if (r < 0)
    return -1;
  size_t i;
  json_t *rule;
  if (r > 0)
    json_array_foreach (rules, i, rule)
    {
      _cleanup_free_ char *path = json_path_index ("linux.seccomp.syscalls", i);
      if (compile_rule (st, rule, path, err) < 0)
        return -1;
    }
  prog->notify = st->notify;
  if (st->notify && prog->listener_path == NULL)
    return hk_error_set (err, EINVAL, "linux.seccomp.listenerPath: SCMP_ACT_NOTIFY rules need a listener path");
  return 0;
}

static int
export_bpf (scmp_filter_ctx ctx, struct seccomp_program *prog, struct hk_error **err)
{
  _cleanup_close_ int fd = memfd_create ("seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "memfd_create");
  int r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return hk_error_errno (err, -r, "linux.seccomp: export the filter");
  _cleanup_free_ char *bytes = NULL;
  size_t len;
  if (lseek (fd, 0, SEEK_SET) < 0 || fs_read_fd (fd, SECCOMP_MAX_FILTER_SIZE, &bytes, &len, err) < 0)
    return -1;
  prog->len = len / sizeof (struct sock_filter);
  prog->insns = xmalloc (len);
  memcpy (prog->insns, bytes, len);
  return 0;
}

int
seccomp_compile (json_t *seccomp, struct seccomp_program **out, struct hk_error **err)
{
  struct seccomp_program *prog = xzalloc (sizeof *prog);
  struct compile_state st = { 0 };
  int r = compile_profile (seccomp, &st, prog, err);
  if (r == 0)
    r = export_bpf (st.ctx, prog, err);
  if (st.ctx)
    seccomp_release (st.ctx);
  if (r < 0)
    {
      seccomp_program_free (prog);
      return -1;
    }
  *out = prog;
  return 0;
}

int
seccomp_prepare (json_t *seccomp, const char *cache_dir, struct seccomp_program **out,
                 struct hk_error **err)
{
  if (cache_dir == NULL)
    return seccomp_compile (seccomp, out, err);
  _cleanup_free_ char *profile = json_dumps (seccomp, JSON_COMPACT | JSON_SORT_KEYS);
  if (profile == NULL)
    return hk_error_set (err, EINVAL, "linux.seccomp: cannot serialise");
  /* The libseccomp version is part of the key: another version may compile
   * the same profile differently. */
  const struct scmp_version *v = seccomp_version ();
  _cleanup_free_ char *key = xasprintf ("%s %u.%u.%u\n%s\n", CACHE_FORMAT, v->major, v->minor,
                                        v->micro, profile);

  struct seccomp_program *prog = xzalloc (sizeof *prog);
  /* The listener settings and flags are cheap: always parse them. */
  if (parse_flags (seccomp, &prog->flags, err) < 0
      || json_get_string (seccomp, "linux.seccomp", "listenerPath", &prog->listener_path, err) < 0
      || json_get_string (seccomp, "linux.seccomp", "listenerMetadata", &prog->listener_metadata,
                          err)
             < 0)
    {
      seccomp_program_free (prog);
      return -1;
    }
  if (seccomp_cache_lookup (cache_dir, key, prog) == 0)
    {
      prog->notify = strstr (profile, "\"SCMP_ACT_NOTIFY\"") != NULL;
      *out = prog;
      return 0;
    }
  seccomp_program_free (prog);
  if (seccomp_compile (seccomp, out, err) < 0)
    return -1;
  seccomp_cache_store (cache_dir, key, *out);
  return 0;
}

int
seccomp_send_listener (const struct seccomp_program *prog, int listener, pid_t pid,
                       const char *state_json, struct hk_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (prog->listener_path) >= sizeof addr.sun_path)
    return hk_error_set (err, ENAMETOOLONG, "linux.seccomp.listenerPath: too long");
  strcpy (addr.sun_path, prog->listener_path);
  _cleanup_close_ int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return hk_error_errno (err, errno, "linux.seccomp.listenerPath: connect to `%s`",
                           prog->listener_path);
  _cleanup_json_ json_t *state = NULL;
  json_error_t jerr;
  state = json_loads (state_json ? state_json : "{}", 0, &jerr);
  if (state == NULL)
    state = json_object ();
  _cleanup_json_ json_t *msg = json_pack ("{s:s, s:[s], s:i, s:s, s:O}", "ociVersion", OCI_RUNTIME_SPEC_VERSION,
                                          "fds", "seccompFd", "pid", (int) pid, "metadata",
                                          prog->listener_metadata ? prog->listener_metadata : "",
                                          "state", state);
  _cleanup_free_ char *text = json_dumps (msg, JSON_COMPACT);
  struct iovec iov = { .iov_base = text, .iov_len = strlen (text) };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  memset (&control, 0, sizeof control);
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &listener, sizeof (int));
  if (sendmsg (sock, &mh, MSG_NOSIGNAL) < 0)
    return hk_error_errno (err, errno, "linux.seccomp.listenerPath: send the listener fd");
  return 0;
}

int
seccomp_install (const struct seccomp_program *prog, int *listener, struct hk_error **err)
{
  struct sock_fprog fprog = { .len = (unsigned short) prog->len, .filter = prog->insns };
  unsigned int flags = prog->flags | (prog->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
  long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (r < 0)
    return hk_error_errno (err, errno, "linux.seccomp: install the filter");
  *listener = prog->notify ? (int) r : -1;
  if (*listener >= 0)
    fcntl (*listener, F_SETFD, FD_CLOEXEC);
  return 0;
}

void
seccomp_program_free (struct seccomp_program *prog)
{
  if (prog == NULL)
    return;
  free (prog->insns);
  free (prog->listener_path);
  free (prog->listener_metadata);
  free (prog);
}
