/* SPDX-License-Identifier: Apache-2.0 */
#include "cgroup-devices.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The verifier's log, read only when a load failed, and how much of its
 * end goes into the error. */
#define VERIFIER_LOG_SIZE (4 * 1024 * 1024)
#define VERIFIER_LOG_TAIL 1024

/* Instruction builders, named like the kernel's samples. */
static struct bpf_insn
insn (uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
  return i;
}
#define LDX_W(dst, src, off) insn (BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) insn (BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src) insn (BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) insn (BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) insn (BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define EXIT() insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers after the prologue: R2 type, R3 access, R4 major, R5 minor. */
enum { R0, R1, R2, R3, R4, R5, R6 };

static int
access_mask (const char *access)
{
  int m = 0;
  if (strchr (access, 'm'))
    m |= BPF_DEVCG_ACC_MKNOD;
  if (strchr (access, 'r'))
    m |= BPF_DEVCG_ACC_READ;
  if (strchr (access, 'w'))
    m |= BPF_DEVCG_ACC_WRITE;
  return m;
}

/* Instructions of one rule: its checks, then "return allow".  *CATCH_ALL
 * tells that it has no checks: nothing after it can run. */
static size_t
rule_insns (const struct oci_device_rule *r, struct bpf_insn *out, bool *catch_all)
{
  struct bpf_insn body[16];
  size_t n = 0;
  int mask = access_mask (r->access);
  /* Each check jumps past the rest of this block when it fails; the
   * offsets are fixed once the block's length is known. */
  if (r->type != 'a')
    body[n++] = JNE_IMM (R2, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0);
  if (mask != (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE))
    {
      /* The access asked must be a subset of the rule's. */
      body[n++] = MOV32_REG (R6, R3);
      body[n++] = ALU32_IMM (BPF_AND, R6, ~mask);
      body[n++] = JNE_IMM (R6, 0, 0);
    }
  if (r->major >= 0)
    body[n++] = JNE_IMM (R4, (int32_t) r->major, 0);
  if (r->minor >= 0)
    body[n++] = JNE_IMM (R5, (int32_t) r->minor, 0);
  *catch_all = n == 0;
  body[n++] = MOV64_IMM (R0, r->allow ? 1 : 0);
  body[n++] = EXIT ();
  for (size_t i = 0; i < n; i++)
    if (BPF_CLASS (body[i].code) == BPF_JMP && BPF_OP (body[i].code) == BPF_JNE)
      body[i].off = (int16_t) (n - i - 1);
  if (out != NULL)
    memcpy (out, body, n * sizeof *body);
  return n;
}

size_t
cgroup_devices_bpf_build (const struct oci_device_rule *rules, size_t n, struct bpf_insn **out)
{
  struct bpf_insn *prog = xmalloc (sizeof (struct bpf_insn) * (8 + 16 * n));
  size_t len = 0;
  /* struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; } */
  prog[len++] = LDX_W (R2, R1, 0);
  prog[len++] = ALU32_IMM (BPF_AND, R2, 0xffff);
  prog[len++] = LDX_W (R3, R1, 0);
  prog[len++] = ALU32_IMM (BPF_RSH, R3, 16);
  prog[len++] = LDX_W (R4, R1, 4);
  prog[len++] = LDX_W (R5, R1, 8);
  /* The verifier refuses unreachable code: stop after a rule that matches
   * every access. */
  bool catch_all = false;
  for (size_t i = n; i-- > 0 && !catch_all;)
    len += rule_insns (&rules[i], prog + len, &catch_all);
  if (!catch_all)
    {
      prog[len++] = MOV64_IMM (R0, 0);
      prog[len++] = EXIT ();
    }
  *out = prog;
  return len;
}

int
cgroup_devices_bpf_eval (const struct bpf_insn *prog, size_t len, char type, unsigned major,
                         unsigned minor, const char *access)
{
  uint64_t reg[11] = { 0 };
  uint32_t ctx[3] = { (uint32_t) access_mask (access) << 16
                          | (type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK),
                      major, minor };
  for (size_t pc = 0; pc < len; pc++)
    {
      const struct bpf_insn *i = &prog[pc];
      switch (i->code)
        {
        case BPF_LDX | BPF_MEM | BPF_W:
          reg[i->dst_reg] = ctx[i->off / 4];
          break;
        case BPF_ALU | BPF_AND | BPF_K:
          reg[i->dst_reg] = (uint32_t) (reg[i->dst_reg] & (uint32_t) i->imm);
          break;
        case BPF_ALU | BPF_RSH | BPF_K:
          reg[i->dst_reg] = (uint32_t) reg[i->dst_reg] >> i->imm;
          break;
        case BPF_ALU | BPF_MOV | BPF_X:
          reg[i->dst_reg] = (uint32_t) reg[i->src_reg];
          break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
          reg[i->dst_reg] = (uint64_t) (int64_t) i->imm;
          break;
        case BPF_JMP | BPF_JNE | BPF_K:
          if (reg[i->dst_reg] != (uint64_t) (int64_t) i->imm)
            pc += (size_t) i->off;
          break;
        case BPF_JMP | BPF_EXIT:
          return (int) reg[0];
        default:
          return -1;
        }
    }
  return -1;
}

static long
bpf (int cmd, union bpf_attr *attr)
{
  return syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

/* Detaches every device program attached to CGROUP_FD but KEEP. */
static void
detach_others (int cgroup_fd, int keep_fd)
{
  uint32_t ids[64];
  union bpf_attr q = { 0 };
  q.query.target_fd = (uint32_t) cgroup_fd;
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = (uint64_t) (uintptr_t) ids;
  q.query.prog_cnt = 64;
  if (bpf (BPF_PROG_QUERY, &q) < 0)
    return;
  struct bpf_prog_info keep_info = { 0 };
  union bpf_attr info = { 0 };
  info.info.bpf_fd = (uint32_t) keep_fd;
  info.info.info_len = sizeof keep_info;
  info.info.info = (uint64_t) (uintptr_t) &keep_info;
  if (bpf (BPF_OBJ_GET_INFO_BY_FD, &info) < 0)
    return;
  for (uint32_t i = 0; i < q.query.prog_cnt; i++)
    {
      if (ids[i] == keep_info.id)
        continue;
      union bpf_attr get = { 0 };
      get.prog_id = ids[i];
      int fd = (int) bpf (BPF_PROG_GET_FD_BY_ID, &get);
      if (fd < 0)
        continue;
      union bpf_attr det = { 0 };
      det.target_fd = (uint32_t) cgroup_fd;
      det.attach_bpf_fd = (uint32_t) fd;
      det.attach_type = BPF_CGROUP_DEVICE;
      bpf (BPF_PROG_DETACH, &det);
      close (fd);
    }
}

/* Loads PROG.  The verifier's log is asked for only to explain a failure:
 * loaded with a log, a valid program whose log overflows the buffer fails
 * with ENOSPC (kernel 6.1 and earlier), which long rule lists hit. */
static int
load_program (const struct bpf_insn *prog, size_t len, struct hk_error **err)
{
  union bpf_attr load = { 0 };
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = (uint64_t) (uintptr_t) prog;
  load.insn_cnt = (uint32_t) len;
  load.license = (uint64_t) (uintptr_t) "Apache-2.0";
  int fd = (int) bpf (BPF_PROG_LOAD, &load);
  if (fd >= 0)
    return fd;
  int saved = errno;
  _cleanup_free_ char *log = xzalloc (VERIFIER_LOG_SIZE);
  load.log_buf = (uint64_t) (uintptr_t) log;
  load.log_size = VERIFIER_LOG_SIZE;
  load.log_level = 1;
  fd = (int) bpf (BPF_PROG_LOAD, &load);
  if (fd >= 0)
    return fd; /* loaded the second time: take it */
  /* The verifier says why at the end of its log. */
  size_t n = strlen (log);
  const char *tail = n > VERIFIER_LOG_TAIL ? log + n - VERIFIER_LOG_TAIL : log;
  return hk_error_errno (err, saved, "load the device filter program (%zu instructions)%s%s", len,
                         *tail ? ": " : "", tail);
}

int
cgroup_devices_bpf_apply (const char *dir, const struct oci_device_rule *rules, size_t n,
                          struct hk_error **err)
{
  _cleanup_free_ struct bpf_insn *prog = NULL;
  size_t len = cgroup_devices_bpf_build (rules, n, &prog);
  _cleanup_close_ int prog_fd = load_program (prog, len, err);
  if (prog_fd < 0)
    return -1;
  _cleanup_close_ int cgroup_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup_fd < 0)
    return hk_error_errno (err, errno, "open cgroup `%s`", dir);
  union bpf_attr attach = { 0 };
  attach.target_fd = (uint32_t) cgroup_fd;
  attach.attach_bpf_fd = (uint32_t) prog_fd;
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf (BPF_PROG_ATTACH, &attach) < 0)
    return hk_error_errno (err, errno, "attach the device filter to `%s`", dir);
  /* On update the old program goes only after the new one is in place, so
   * no access slips through in between. */
  detach_others (cgroup_fd, prog_fd);
  return 0;
}
