/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's default seccomp profile: Docker's default allow-list, so a
 * container behaves as it would under Docker.  Like Docker's, it depends on
 * the container's capabilities: a capability that lets a process do more
 * (CAP_SYS_ADMIN, CAP_SYS_PTRACE, ...) also allows the syscalls it needs. */
#include "seccomp-profile.h"

#include <sched.h>
#include <stdbool.h>
#include <string.h>

/* Allowed for every container. */
static const char *const always_allowed[] = {
    "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset",
    "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
    "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
    "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat",
    "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
    "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
    "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
    "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown",
    "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock",
    "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
    "fsync", "ftruncate", "ftruncate64", "futex", "futex_time64", "futex_waitv", "futimesat",
    "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32",
    "getgid", "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
    "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32",
    "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid",
    "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid",
    "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
    "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents",
    "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit", "ipc", "kill",
    "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
    "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek",
    "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier",
    "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
    "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
    "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
    "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
    "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
    "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2",
    "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl",
    "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
    "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
    "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
    "remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall",
    "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
    "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam",
    "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
    "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
    "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
    "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64",
    "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid",
    "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid",
    "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
    "setreuid32", "setrlimit", "set_robust_list", "setsid", "setsockopt", "set_thread_area",
    "set_tid_address", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget",
    "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socket",
    "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statx",
    "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill",
    "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
    "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
    "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate",
    "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
    "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
    "writev", "arch_prctl", "modify_ldt",
  NULL,
};

/* Allowed when the container has the capability. */
static const struct
{
  int cap;
  const char *const names[16];
} by_capability[] = {
  { 21 /* CAP_SYS_ADMIN */, { "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount",
                              "fsopen", "fspick", "lookup_dcookie", "mount", "mount_setattr",
                              "move_mount", "open_tree", "perf_event_open", "quotactl", NULL } },
  { 21 /* CAP_SYS_ADMIN */, { "setdomainname", "sethostname", "setns", "syslog", "umount",
                              "umount2", "unshare", "quotactl_fd", NULL } },
  { 19 /* CAP_SYS_PTRACE */, { "kcmp", "process_madvise", "process_vm_readv", "process_vm_writev",
                               "ptrace", NULL } },
  { 16 /* CAP_SYS_MODULE */, { "delete_module", "init_module", "finit_module", NULL } },
  { 17 /* CAP_SYS_RAWIO */, { "iopl", "ioperm", NULL } },
  { 22 /* CAP_SYS_BOOT */, { "reboot", NULL } },
  { 18 /* CAP_SYS_CHROOT */, { "chroot", NULL } },
  { 25 /* CAP_SYS_TIME */, { "settimeofday", "stime", "clock_settime", "clock_settime64", NULL } },
  { 23 /* CAP_SYS_NICE */, { "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node", NULL } },
  { 39 /* CAP_BPF */, { "bpf", NULL } },
  { 38 /* CAP_PERFMON */, { "perf_event_open", NULL } },
  { 20 /* CAP_SYS_PACCT */, { "acct", NULL } },
};

static bool
has (uint64_t caps, int cap)
{
  return cap >= 0 && cap < 64 && (caps & (UINT64_C (1) << cap));
}

static void
add_names (json_t *names, const char *const *list)
{
  for (; *list != NULL; list++)
    json_array_append_new (names, json_string (*list));
}

json_t *
seccomp_profile_default (uint64_t caps)
{
  json_t *allowed = json_array ();
  add_names (allowed, always_allowed);
  json_t *syscalls = json_array ();
  json_array_append_new (syscalls, json_pack ("{s:o, s:s}", "names", allowed, "action", "SCMP_ACT_ALLOW"));
  /* personality: only the harmless domains. */
  static const long long personalities[] = { 0, 8, 131072, 131080, 4294967295LL };
  for (size_t i = 0; i < sizeof personalities / sizeof personalities[0]; i++)
    json_array_append_new (syscalls,
                           json_pack ("{s:[s], s:s, s:[{s:i, s:I, s:s}]}", "names", "personality",
                                      "action", "SCMP_ACT_ALLOW", "args", "index", 0, "value",
                                      (json_int_t) personalities[i], "op", "SCMP_CMP_EQ"));
  bool sys_admin = has (caps, 21);
  if (!sys_admin)
    {
      /* clone without namespace flags; clone3's flags cannot be seen by a
       * filter, so it says ENOSYS and libcs fall back to clone. */
      long long ns_flags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC
                           | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;
      json_array_append_new (syscalls,
                             json_pack ("{s:[s], s:s, s:[{s:i, s:I, s:i, s:s}]}", "names",
                                        "clone", "action", "SCMP_ACT_ALLOW", "args", "index", 0,
                                        "value", (json_int_t) ns_flags, "valueTwo", 0, "op",
                                        "SCMP_CMP_MASKED_EQ"));
      json_array_append_new (syscalls, json_pack ("{s:[s], s:s, s:i}", "names", "clone3", "action",
                                                  "SCMP_ACT_ERRNO", "errnoRet", 38));
    }
  json_t *extra = json_array ();
  for (size_t i = 0; i < sizeof by_capability / sizeof by_capability[0]; i++)
    if (has (caps, by_capability[i].cap))
      add_names (extra, by_capability[i].names);
  if (json_array_size (extra) > 0)
    json_array_append_new (syscalls, json_pack ("{s:o, s:s}", "names", extra, "action", "SCMP_ACT_ALLOW"));
  else
    json_decref (extra);
  return json_pack ("{s:s, s:i, s:[s, s, s], s:o}", "defaultAction", "SCMP_ACT_ERRNO",
                    "defaultErrnoRet", 1, "architectures", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
                    "SCMP_ARCH_X32", "syscalls", syscalls);
}
