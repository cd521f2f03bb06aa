"""Connections reserved for Next lead, with its statements prepared once per connection.

Next lead runs one small statement that executes in about 0.2 ms at a million leads, but
PostgreSQL needs over 1 ms to plan it: crm_lead carries some thirty indexes, and the
partial queue indexes must be proven usable for the query. A prepared statement run with
a generic plan skips that planning. Odoo's pool cannot keep one: it resets every
connection it lends (psycopg2's reset runs DISCARD ALL). So the claim keeps a few
connections of its own, READ COMMITTED and in autocommit (see lead_flow_claim_next), per
process and database, closed after a minute unused.

Not for a pooler in transaction mode (pgbouncer), where prepared statements do not stay
on one session: set the system parameter ``lead_flow.claim_prepared`` to ``False``.
"""

import hashlib
import logging
import os
import threading
import time
from contextlib import contextmanager

import psycopg2

from odoo.sql_db import connection_info_for

IDLE_SECONDS = 60
APPLICATION_SUFFIX = "lead_flow_claim"
MAX_IDLE = 32  # enough for every thread of a threaded server claiming at once
# Set once per connection rather than with SET LOCAL at every claim. A reservation is soft
# state (lost in a crash, the lead is simply free again), so its commit need not wait for
# the WAL flush; the prepared claim runs with its generic plan (never re-planned).
SESSION_SETTINGS = (
    "SET default_transaction_isolation TO 'read committed';"
    " SET synchronous_commit TO off; SET plan_cache_mode TO force_generic_plan"
)

# Claims of a process between two cleanups of the table they walk (see claimed()). Each
# cleanup also makes every claim connection plan the claim again (2-3 ms: the VACUUM
# changes the table's statistics), so cleaning more often than this costs the claims
# more than the walk it saves (docs/performance/routing.md).
CLEANUP_EVERY = 2000

_logger = logging.getLogger(__name__)
_lock = threading.Lock()
# (pid, database) -> [(connection, names prepared on it, last used)]. Keyed by pid: a
# forked worker must neither use nor close its parent's connections.
_idle = {}
# (pid, database) -> claims since the last cleanup; the keys being cleaned now.
_claims = {}
_cleaning = set()


def statement_name(prefix, code, params):
    """A name that changes whenever the statement text or its inlined values change."""
    digest = hashlib.sha1(repr((code, params)).encode()).hexdigest()[:20]
    return f"{prefix}_{digest}"


def _take(key):
    now = time.monotonic()
    with _lock:
        pool = _idle.setdefault(key, [])
        stale = [entry for entry in pool if now - entry[2] > IDLE_SECONDS]
        for entry in stale:
            pool.remove(entry)
        found = pool.pop() if pool else None
    for connection, _names, _used in stale:
        connection.close()
    return found


def _give_back(key, connection, names):
    with _lock:
        pool = _idle.setdefault(key, [])
        if len(pool) < MAX_IDLE:
            pool.append((connection, names, time.monotonic()))
            return
    connection.close()


@contextmanager
def claim_cursor(dbname):
    """A psycopg2 cursor in autocommit mode (each execute() is one READ COMMITTED
    transaction) and the set of statement names prepared on its connection; on error the
    connection is dropped."""
    key = (os.getpid(), dbname)
    found = _take(key)
    if found:
        connection, names, _used = found
    else:
        _db, info = connection_info_for(dbname)
        # Recognisable in pg_stat_activity (and by the tests that cut it off).
        info["application_name"] = f"{info.get('application_name', 'odoo')}-{APPLICATION_SUFFIX}"[
            :63
        ]
        connection = psycopg2.connect(**info)
        # Autocommit: the statements of one execute() run as one implicit READ COMMITTED
        # transaction, committed by the server, with no COMMIT round trip of our own.
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute(SESSION_SETTINGS)
        names = set()
    try:
        with connection.cursor() as cr:
            yield cr, names
    except BaseException:
        # The connection may be broken or mid-transaction: do not lend it again.
        connection.close()
        raise
    _give_back(key, connection, names)


def close_all(dbname=None):
    """Close this process's idle claim connections (all, or those of ``dbname``)."""
    pid = os.getpid()
    with _lock:
        keys = [key for key in _idle if key[0] == pid and dbname in (None, key[1])]
        entries = [entry for key in keys for entry in _idle.pop(key)]
    for connection, _names, _used in entries:
        connection.close()


def claimed(dbname, cleanup):
    """Count a claim of this process; every CLEANUP_EVERY of them, run ``cleanup`` (SQL
    that cannot run in a transaction: VACUUM) on a claim connection, in a thread of its
    own so that no operator waits for it, never two at once per process and database.

    Why Next lead cleans up after itself: each claim leaves the old version of its queue
    row, and its entry at the front of the free-lead index. A scan that meets such an entry
    marks it dead, so that the next ones skip it, but PostgreSQL 15 does so only when it
    knows that no snapshot can still see the row: while any transaction of the cluster,
    in any database, that began before the claims is still open, it does not, and every
    claim walks over the entries of all the claims since the last VACUUM (about 0.2 us of
    CPU each: some 3 ms per claim after 16,000 claims in three zones). Autovacuum comes
    once a minute at best. VACUUM works out the horizon of this database alone; without
    its index pass it takes some 16 ms at a million leads, marks those row versions dead
    in the table, and the next claims drop their index entries as they pass them."""
    key = (os.getpid(), dbname)
    with _lock:
        count = _claims.get(key, 0) + 1
        if count < CLEANUP_EVERY or key in _cleaning:
            _claims[key] = count
            return
        _claims[key] = 0
        _cleaning.add(key)
    try:
        threading.Thread(
            target=_cleanup,
            args=(key, dbname, cleanup),
            name="lead_flow_claim_cleanup",
            daemon=True,
        ).start()
    except RuntimeError:  # no thread to be had: the claim it follows has succeeded anyway
        with _lock:
            _cleaning.discard(key)


def _cleanup(key, dbname, cleanup):
    try:
        with claim_cursor(dbname) as (cr, _names):
            cr.execute(cleanup)
    except psycopg2.Error as error:  # e.g. not the table's owner: the claims go on
        _logger.warning("Lead Flow: cleanup of the claim table failed: %s", error)
    finally:
        with _lock:
            _cleaning.discard(key)
