/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to the store: the SQLite schema and small query helpers. */
#ifndef HAKO_STORE_STORE_DB_H
#define HAKO_STORE_STORE_DB_H

#include "common/error.h"

#include <sqlite3.h>
#include <stdint.h>

static inline void
cleanup_stmtp (sqlite3_stmt **st)
{
  sqlite3_finalize (*st);
}
#define _cleanup_stmt_ __attribute__ ((cleanup (cleanup_stmtp)))

/* Opens (creating) the database file at PATH, with WAL, a busy timeout
 * and the current schema. */
int store_db_open (const char *path, sqlite3 **out, struct hk_error **err);

int store_db_exec (sqlite3 *db, const char *sql, struct hk_error **err);

/* Prepares SQL and binds the text arguments (NULL-terminated list). */
int store_db_prepare (sqlite3 *db, const char *sql, sqlite3_stmt **out, struct hk_error **err, ...)
    __attribute__ ((sentinel));

/* sqlite3_step with an error that quotes the database's message. */
int store_db_step (sqlite3 *db, sqlite3_stmt *st, struct hk_error **err);

int store_db_error (sqlite3 *db, const char *what, struct hk_error **err);

/* A column as text, "" for NULL (never NULL). */
const char *store_db_text (sqlite3_stmt *st, int col);

/* Steps ST to the end and collects its first column into a new
 * NULL-terminated list. */
int store_db_strings (sqlite3 *db, sqlite3_stmt *st, char ***out, struct hk_error **err);

#endif
