/* SPDX-License-Identifier: Apache-2.0 */
/* Random names of new things: the bottom of the engine, it uses nothing
 * of it. */
#ifndef HAKO_ENGINE_RANDOM_ID_H
#define HAKO_ENGINE_RANDOM_ID_H

/* 64 random hex digits: the ID of a new container or network, the name of
 * an anonymous volume. */
char *random_id (void);

/* "adjective_noun", like Docker's container names. */
char *random_name (void);

#endif
