/* SPDX-License-Identifier: Apache-2.0 */
/* What the files of the builder share (build.c: stages and the whole
 * build; build-step.c: one instruction; build-source.c: COPY and ADD;
 * build-run.c: RUN; build-cache.c: keys). */
#ifndef HAKO_BUILDER_BUILDER_INTERNAL_H
#define HAKO_BUILDER_BUILDER_INTERNAL_H

#include "builder.h"
#include "build/config-instruction.h"
#include "build/dockerfile.h"
#include "build/ignore.h"
#include "store/digest.h"

#include <jansson.h>
#include <pthread.h>

struct build_stage
{
  struct build *build;
  char *name; /* lower case, or NULL */
  size_t index;
  const struct df_instruction *from;
  const struct df_instruction **steps;
  size_t n_steps;
  bool needed;
  bool built;
  char image_id[DIGEST_STRING_SIZE];
  char key[DIGEST_STRING_SIZE]; /* of its last step */
  size_t first_step;            /* the number of its FROM in the progress */
  bool made_here;               /* image_id is an image this build made */
  pthread_t thread;
  bool started, finished;
  struct ctr_record *running; /* the RUN container running, killed on cancel */
};

/* The stages a target needs run in threads of their own, each as soon as
 * it starts (a stage that uses another waits for it where it does).  The
 * build's state, the engine and the store are used under LOCK, which a
 * stage lets go while a RUN's container runs or it waits for another
 * stage: what overlaps is what takes time, the RUN steps. */
struct build
{
  pthread_mutex_t lock;
  pthread_cond_t changed; /* a stage was built, or the build stops */
  bool failed;            /* a stage failed: the others stop */
  struct hk_error *error; /* the first failure */
  struct engine *e;
  const struct build_options *o;
  struct dockerfile *df;
  struct ignore_rules *ignore;
  int context_fd; /* O_PATH directory, -1 without a context */
  struct file_digest_cache *digests; /* the context's files, or NULL */
  struct build_stage *stages;
  size_t n_stages;
  char **global_args; /* NAME=VALUE of the ARGs before the first FROM */
  size_t n_steps;
  char *created; /* --timestamp as RFC 3339, or NULL */
  char scratch_id[DIGEST_STRING_SIZE];
  char **pulled;     /* NAME=ID of the images this build pulled */
  int exit_code;     /* of the RUN that failed */
  bool needs_worker; /* stopped at a step with work, without a worker */
};

/* One stage while it is built. */
struct stage_run
{
  struct build *b;
  struct build_stage *stage;
  size_t step; /* the number of the step being done */
  char image_id[DIGEST_STRING_SIZE];
  json_t *config; /* the whole image config of image_id */
  char **args;    /* NAME=VALUE of the stage's ARGs */
  char **declared; /* the names ARG declared (a proxy arg among them shows in the history) */
  char key[DIGEST_STRING_SIZE];
  struct config_instruction_state meta;
  char **vars; /* args then Env: what ${...} sees */
  char **made; /* the images its steps made */
};

/* Whether NAME is one of Docker's predefined proxy args (build.c). */
bool build_arg_is_proxy (const char *name);

/* build-step.c.  An ONBUILD trigger's step is not NUMBERED. */
int build_step (struct stage_run *sr, const struct df_instruction *in, bool numbered,
                struct hk_error **err);
/* sr->image_id becomes ID, its config loaded. */
int build_stage_load (struct stage_run *sr, const char *id, struct hk_error **err);
/* A new image over sr->image_id: UPPER (NULL: none) as its layer, the
 * config sr->config, history CREATED_BY.  ENGINE_FILES: see
 * build_commit_request. */
int build_commit (struct stage_run *sr, const char *upper, char *const *exclude,
                  bool engine_files, const char *created_by, struct hk_error **err);
/* The Env and args as variables, refreshed after ENV and ARG. */
void build_refresh_vars (struct stage_run *sr);
/* The stage before BEFORE (NULL: any) that NAME (a name or an index)
 * names, or NULL: a later stage is never a source. */
struct build_stage *build_find_stage (struct build *b, const struct build_stage *before,
                                      const char *name);
/* Waits until ST is built (its image_id set); an error when the build
 * stops first, or when ST is not one the target needs. */
int build_stage_wait (struct build *b, struct build_stage *st, struct hk_error **err);
/* The ID of the image NAME names, pulled or not as the build's --pull
 * says (an image is pulled once per build). */
int build_resolve_image (struct build *b, const char *name, char **id, struct hk_error **err);
/* The worker, or -1 with needs_worker set (the step has work) when the
 * build has none. */
int build_need_worker (struct build *b, const struct build_worker **out, struct hk_error **err);

/* A working container over image ID (created and mounted, never
 * started unless RUN starts it); CONFIG is moved into it. */
int build_container (struct build *b, const char *image_id, struct ctr_config *config,
                     struct ctr_record **out, struct hk_error **err);
/* A container that only lends its root (`true`, no network). */
int build_root_container (struct build *b, const char *image_id, struct ctr_record **out,
                          struct hk_error **err);
/* Removes it, and its anonymous volumes. */
void build_container_remove (struct build *b, struct ctr_record *r);
char *build_container_path (struct build *b, const struct ctr_record *r, const char *sub);

/* build-source.c: COPY and ADD. */
int build_copy (struct stage_run *sr, const struct df_instruction *in, struct hk_error **err);
/* The digest of SOURCE in the context (a file, or a directory's tree) as
 * COPY's key has it, for IN (RUN --mount=type=bind). */
int build_context_digest (struct stage_run *sr, const struct df_instruction *in,
                          const char *source, char digest[DIGEST_STRING_SIZE],
                          struct hk_error **err);

/* build-run.c */
int build_run_step (struct stage_run *sr, const struct df_instruction *in, struct hk_error **err);
/* KEY extended with what RUN's bind mounts show: the context's files, or
 * the image of from=. */
int build_run_key (struct stage_run *sr, const struct df_instruction *in,
                   char key[DIGEST_STRING_SIZE], struct hk_error **err);

/* build-cache.c: ROOT/build-cache/keys/HEX holds the image ID a step key
 * made; mounts/HEX are the --mount=type=cache directories. */
int build_cache_get (struct build *b, const char *key, char id[DIGEST_STRING_SIZE]);
void build_cache_put (struct build *b, const char *key, const char *id);
char *build_cache_mount_dir (struct build *b, const char *id, struct hk_error **err);
/* KEY = sha256 (PREV, then each of the NULL-terminated PARTS). */
void build_key (char key[DIGEST_STRING_SIZE], const char *prev, const char *const *parts);

/* The instruction's words expanded (the exec form's strings each). */
int build_words (struct stage_run *sr, const struct df_instruction *in, char ***out,
                 struct hk_error **err);

/* Prints a line of progress unless quiet. */
void build_say (struct build *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

bool build_interrupted (const struct build *b);
/* Interrupted, or another stage failed: what runs stops. */
bool build_stopped (const struct build *b);

#endif
