"""The free-lead index of Next lead: a narrow table kept in step with crm_lead by a trigger.

Next lead must find the first free lead in queue order at once, however many leads are
reserved, so "free" has to be in an index. On crm_lead itself that index makes every claim
rewrite the lead row with a new entry in each of its thirty-odd indexes (seven of them GIN
trigram ones): a reservation changes an indexed column, so PostgreSQL cannot update the row
in place (HOT). Here the open leads' queue keys, routing state (callback, retry, skip, time
zone) and reservation live in ``lead_flow_queue_index`` instead, with partial indexes of
the free ones in each queue order and of the free callbacks; crm_lead keeps the columns (the
public fields) with no index on them, so a claim is a HOT update of the lead (crm_lead gets a
fill factor that leaves room for it on each page) plus a small update here. Row triggers keep
the table exact for every writer: the ORM, SQL bulk loads, the claim itself, Odoo's phone
blacklist (a blacklisted lead has no row: no queue calls it) and partners' time zones.

Rows: the open leads (active, Lead Flow status None or In progress) not marked do not call.
Won stages, queue domains and record rules are checked on crm_lead when claiming.
"""

from odoo.tools import SQL

TABLE = "lead_flow_queue_index"
SYNC_FUNCTION = "lead_flow_queue_index_sync"
BLACKLIST_FUNCTION = "lead_flow_do_not_call_sync"
PARTNER_TZ_FUNCTION = "lead_flow_partner_tz_sync"
# The lead's time zone for calling hours: partner, state, country, company (lib/lead_timezone).
LEAD_TZ = "lead_flow_lead_tz({t}.partner_id, {t}.state_id, {t}.country_id, {t}.company_id)"
# Reserve room on each crm_lead page for the new row versions of HOT updates.
LEAD_FILLFACTOR = 90
# crm_lead indexes of earlier versions that put the reservation in an index.
OBSOLETE_LEAD_INDEXES = (
    "crm_lead_lead_flow_free_idx",
    "crm_lead_lead_flow_reserved_at_idx",
    "crm_lead__lead_flow_reserved_user_id_index",
    "crm_lead_lead_flow_queue_idx",  # the queue list's index before skips were a key
)
# The open leads, in SQL (``t``: a table alias and its dot, or "" in an index predicate).
OPEN_LEAD = "{t}active AND {t}lead_flow_state IN ('none', 'in_progress')"
# The leads of the queue table: open, and their number not on Odoo's phone blacklist (no
# queue calls them).
QUEUED_LEAD = (
    OPEN_LEAD + " AND NOT EXISTS (SELECT 1 FROM phone_blacklist b"
    " WHERE b.number = {t}phone_sanitized AND b.active)"
)
# Queue table column <- crm_lead column, for the columns copied as they are.
COPIED = (
    ("lead_id", "id"),
    ("last_contact_at", "lead_flow_last_contact_at"),
    ("priority", "priority"),
    ("create_date", "create_date"),
    ("reserved_user_id", "lead_flow_reserved_user_id"),
    ("reserved_at", "lead_flow_reserved_at"),
    ("callback_at", "lead_flow_callback_at"),
    ("callback_user_id", "lead_flow_callback_user_id"),
    ("retry_at", "lead_flow_retry_at"),
    ("skipped_at", "lead_flow_skipped_at"),
    ("skipped_by_id", "lead_flow_skipped_by_id"),
)
COPIED_COLUMNS = ", ".join(column for column, _field in COPIED)
COLUMNS = COPIED_COLUMNS + ", tz"


def copied_values(t):
    return ", ".join(f"{t}.{field}" for _column, field in COPIED)


def lead_values(t):
    """The queue table row of crm_lead row ``t``, in COLUMNS order."""
    return copied_values(t) + ", " + LEAD_TZ.format(t=t)


# Queue orders (lead.flow.queue.order) on this table's columns: the free-lead indexes and
# the claim's ORDER BY. "standard" is the order of the queue list (crm_lead_queue.QUEUE_ORDER):
# never contacted first, then the longest without contact, the most promising, a skipped
# lead behind its equals, the oldest.
ORDERS = {
    "standard": (
        ("last_contact_at", "ASC NULLS FIRST"),
        ("priority", "DESC"),
        ("skipped_at", "ASC NULLS FIRST"),
        ("create_date", "ASC"),
        ("lead_id", "ASC"),
    ),
    "newest": (("create_date", "DESC"), ("lead_id", "DESC")),
}
CALLBACK_ORDER = (("callback_at", "ASC"), ("lead_id", "ASC"))
RETRY_ORDER = (("retry_at", "ASC"), ("lead_id", "ASC"))
ZONE_ALIAS = "lead_flow_zone"
WATCHED_FIELDS = [
    "active",
    "lead_flow_state",
    "phone_sanitized",
    "partner_id",
    "state_id",
    "country_id",
    "company_id",
    *(field for _column, field in COPIED if field != "id"),
]
WATCHED = ", ".join(WATCHED_FIELDS)


def _index_columns(order):
    return ", ".join(f"{column} {direction}" for column, direction in order)


_FREE_INDEXES = "".join(
    f"CREATE INDEX {TABLE}_{name}_idx ON {TABLE} ({_index_columns(order)})"
    " WHERE reserved_user_id IS NULL;\n"
    for name, order in ORDERS.items()
)
CREATE_TABLE = f"""
CREATE TABLE {TABLE} (
    lead_id integer PRIMARY KEY REFERENCES crm_lead (id) ON DELETE CASCADE,
    last_contact_at timestamp,
    priority varchar,
    create_date timestamp,
    reserved_user_id integer,
    reserved_at timestamp,
    callback_at timestamp,
    callback_user_id integer,
    retry_at timestamp,
    skipped_at timestamp,
    skipped_by_id integer,
    tz varchar
);
{_FREE_INDEXES}
CREATE INDEX {TABLE}_callback_idx ON {TABLE} ({_index_columns(CALLBACK_ORDER)})
    WHERE reserved_user_id IS NULL AND callback_at IS NOT NULL;
CREATE INDEX {TABLE}_reserved_idx ON {TABLE} (reserved_at, reserved_user_id)
    WHERE reserved_user_id IS NOT NULL;
"""
# "My callbacks" (the dashboard), found without reading crm_lead; an operator's reserved
# leads whose retry is due (Next lead gives them back first).
CALLBACK_USER_INDEX = f"""
CREATE INDEX IF NOT EXISTS {TABLE}_callback_user_idx ON {TABLE} (callback_user_id, callback_at)
    WHERE callback_user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS {TABLE}_retry_user_idx ON {TABLE} (reserved_user_id, retry_at)
    WHERE reserved_user_id IS NOT NULL AND retry_at IS NOT NULL;
"""
# With calling hours, each open zone's first lead or callback (see pick_sql), and the zones
# present (ZONES_PRESENT): the same partial indexes, the zone first. A lead with a callback,
# due or to come, is the callback pick's: out of the leads' index, so that callbacks still
# to come never pile up at the front of a zone's walk.
ZONE_INDEXES = "".join(
    f"CREATE INDEX IF NOT EXISTS {TABLE}_zone_{name}_idx ON {TABLE} (tz, {_index_columns(order)})"
    " WHERE reserved_user_id IS NULL AND callback_at IS NULL;\n"
    for name, order in ORDERS.items()
) + (
    f"CREATE INDEX IF NOT EXISTS {TABLE}_zone_callback_idx ON {TABLE}"
    f" (tz, {_index_columns(CALLBACK_ORDER)})"
    " WHERE reserved_user_id IS NULL AND callback_at IS NOT NULL;\n"
)
# The zones of the free leads, one index descent per zone (a skip scan of the zone index).
ZONES_PRESENT = f"""
WITH RECURSIVE zones (tz) AS (
    (SELECT tz FROM {TABLE} WHERE reserved_user_id IS NULL AND tz IS NOT NULL ORDER BY tz LIMIT 1)
    UNION ALL
    SELECT (SELECT q.tz FROM {TABLE} q WHERE q.reserved_user_id IS NULL AND q.tz > zones.tz
             ORDER BY q.tz LIMIT 1)
      FROM zones WHERE zones.tz IS NOT NULL
)
SELECT tz FROM zones WHERE tz IS NOT NULL
"""
# A column of this version of the table: an older table is rebuilt at upgrade.
VERSION_COLUMN = "tz"

# Bring the table in line with crm_lead whatever happened while no trigger could see it:
# writes committed during an install or upgrade (hidden from its snapshot), a restore or a
# session with triggers disabled. First a read-only comparison (no row locks: claims go
# on), then only the rows found different are written. The time zone is left out: it is
# derived (partner, state, country, company) and costs lookups per row; its own triggers
# keep it.
DRIFTED = f"""
SELECT coalesce(l.lead_id, q.lead_id)
  FROM (SELECT {copied_values("c")} FROM crm_lead c WHERE {QUEUED_LEAD.format(t="c.")})
       AS l ({COPIED_COLUMNS})
  FULL JOIN {TABLE} q ON q.lead_id = l.lead_id
 WHERE ({", ".join(f"l.{column}" for column, _field in COPIED)})
       IS DISTINCT FROM
       ({", ".join(f"q.{column}" for column, _field in COPIED)})
"""
REPAIR = f"""
DELETE FROM {TABLE} WHERE lead_id = ANY(%(ids)s);
INSERT INTO {TABLE} ({COLUMNS})
     SELECT {lead_values("l")} FROM crm_lead l
      WHERE l.id = ANY(%(ids)s) AND {QUEUED_LEAD.format(t="l.")};
"""
FILL = f"""
INSERT INTO {TABLE} ({COLUMNS})
     SELECT {lead_values("l")} FROM crm_lead l WHERE {QUEUED_LEAD.format(t="l.")};
"""

# The columns a claim or a release changes. When nothing else changed, the lead's place in
# the table (open, blacklist, time zone, queue keys) is what it was: its row, if it has one,
# only takes them, without the blacklist look-up, the time zone and the upsert.
RESERVATION = (
    ("reserved_user_id", "lead_flow_reserved_user_id"),
    ("reserved_at", "lead_flow_reserved_at"),
    ("retry_at", "lead_flow_retry_at"),
)
_KEPT = [name for name in WATCHED_FIELDS if name not in {field for _c, field in RESERVATION}]
SYNC = f"""
CREATE OR REPLACE FUNCTION {SYNC_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND ({", ".join(f"OLD.{name}" for name in _KEPT)})
           IS NOT DISTINCT FROM ({", ".join(f"NEW.{name}" for name in _KEPT)}) THEN
        UPDATE {TABLE}
           SET {", ".join(f"{column} = NEW.{field}" for column, field in RESERVATION)}
         WHERE lead_id = NEW.id;
        IF FOUND THEN
            RETURN NULL;
        END IF;
    END IF;
    IF {QUEUED_LEAD.format(t="NEW.")} THEN
        INSERT INTO {TABLE} ({COLUMNS}) VALUES ({lead_values("NEW")})
        ON CONFLICT (lead_id) DO UPDATE
           SET {", ".join(f"{column} = EXCLUDED.{column}" for column in COLUMNS.split(", ")[1:])};
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM {TABLE} WHERE lead_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
"""
# Do not call follows Odoo's phone blacklist: a number blacklisted or released by anyone
# (Lead Flow, SMS marketing, the blacklist menu) takes its leads out of the table or back.
BLACKLIST_SYNC = f"""
CREATE OR REPLACE FUNCTION {BLACKLIST_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    numbers varchar[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        numbers := ARRAY[OLD.number];
    ELSIF TG_OP = 'UPDATE' THEN
        numbers := ARRAY[OLD.number, NEW.number];
    ELSE
        numbers := ARRAY[NEW.number];
    END IF;
    DELETE FROM {TABLE} q USING crm_lead l
     WHERE q.lead_id = l.id AND l.phone_sanitized = ANY(numbers);
    INSERT INTO {TABLE} ({COLUMNS})
         SELECT {lead_values("l")} FROM crm_lead l
          WHERE l.phone_sanitized = ANY(numbers) AND {QUEUED_LEAD.format(t="l.")};
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION {PARTNER_TZ_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {TABLE} q SET tz = {LEAD_TZ.format(t="l")}
      FROM crm_lead l
     WHERE q.lead_id = l.id
       AND (l.partner_id = NEW.id
            OR l.company_id IN (SELECT id FROM res_company WHERE partner_id = NEW.id));
    RETURN NULL;
END
$$;
"""
_SYNC_WHEN = (
    f"(({', '.join(f'OLD.{name}' for name in WATCHED_FIELDS)})"
    f" IS DISTINCT FROM ({', '.join(f'NEW.{name}' for name in WATCHED_FIELDS)}))"
)
# Created once: dropping and creating a trigger locks crm_lead for the whole upgrade, so a
# trigger whose definition changes gets a new name. Updates fire the sync only when they
# change a queue key (an ORM write lists the columns it writes, even when their values stay
# the same, e.g. a merge or an import writing back the priority).
TRIGGERS = {
    ("crm_lead", f"{SYNC_FUNCTION}_insert"): f"""
CREATE TRIGGER {SYNC_FUNCTION}_insert AFTER INSERT ON crm_lead
    FOR EACH ROW EXECUTE FUNCTION {SYNC_FUNCTION}();
""",
    ("crm_lead", f"{SYNC_FUNCTION}_update_v2"): f"""
CREATE TRIGGER {SYNC_FUNCTION}_update_v2 AFTER UPDATE OF {WATCHED} ON crm_lead
    FOR EACH ROW WHEN {_SYNC_WHEN} EXECUTE FUNCTION {SYNC_FUNCTION}();
""",
    ("phone_blacklist", BLACKLIST_FUNCTION): f"""
CREATE TRIGGER {BLACKLIST_FUNCTION} AFTER INSERT OR UPDATE OF number, active OR DELETE
    ON phone_blacklist FOR EACH ROW EXECUTE FUNCTION {BLACKLIST_FUNCTION}();
""",
    ("res_partner", PARTNER_TZ_FUNCTION): f"""
CREATE TRIGGER {PARTNER_TZ_FUNCTION} AFTER UPDATE OF tz ON res_partner
    FOR EACH ROW WHEN (OLD.tz IS DISTINCT FROM NEW.tz)
    EXECUTE FUNCTION {PARTNER_TZ_FUNCTION}();
""",
}
# Earlier versions' triggers on crm_lead.
OBSOLETE_TRIGGERS = (SYNC_FUNCTION, f"{SYNC_FUNCTION}_update")


def install(cr):
    """Create the table, its triggers and the crm_lead storage they rely on, each only when
    missing (crm.lead's init runs at every upgrade of any module extending leads), then
    reconcile the table with crm_lead. The lead time zone function (lib/lead_timezone) is
    installed before (crm_lead_timezone's init)."""
    obsolete = SQL(", ").join(map(SQL.identifier, OBSOLETE_LEAD_INDEXES))
    cr.execute(SQL("DROP INDEX IF EXISTS %s", obsolete))
    fillfactor = f"fillfactor={LEAD_FILLFACTOR}"
    cr.execute(
        "SELECT coalesce(%s = ANY(reloptions), false) FROM pg_class"
        " WHERE oid = 'crm_lead'::regclass",
        [fillfactor],
    )
    if not cr.fetchone()[0]:
        cr.execute(SQL("ALTER TABLE crm_lead SET (fillfactor = %s)", SQL(str(LEAD_FILLFACTOR))))
    cr.execute(
        "SELECT to_regclass(%s), EXISTS (SELECT 1 FROM information_schema.columns"
        " WHERE table_name = %s AND column_name = %s)",
        [TABLE, TABLE, VERSION_COLUMN],
    )
    exists, current = cr.fetchone()
    if exists and not current:
        cr.execute(SQL("DROP TABLE %s", SQL.identifier(TABLE)))
    if not current:
        cr.execute(CREATE_TABLE)
        cr.execute(FILL)
    cr.execute(SYNC)  # CREATE OR REPLACE FUNCTION: no lock on crm_lead
    cr.execute(BLACKLIST_SYNC)
    cr.execute(
        "SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s)"
        " AND tgrelid IN ('crm_lead'::regclass, 'phone_blacklist'::regclass,"
        " 'res_partner'::regclass)",
        [[*(name for _table, name in TRIGGERS), *OBSOLETE_TRIGGERS]],
    )
    existing = {row[0] for row in cr.fetchall()}
    for name in OBSOLETE_TRIGGERS:
        if name in existing:
            cr.execute(SQL("DROP TRIGGER %s ON crm_lead", SQL.identifier(name)))
    for (_table, name), create in TRIGGERS.items():
        if name not in existing:
            cr.execute(create)
    cr.execute(CALLBACK_USER_INDEX)
    cr.execute(ZONE_INDEXES)
    reconcile(cr)


def reconcile(cr):
    """Repair the rows that differ from crm_lead; return how many were wrong."""
    cr.execute(DRIFTED)
    ids = [row[0] for row in cr.fetchall()]
    if ids:
        cr.execute(REPAIR, {"ids": ids})
    return len(ids)


def uninstall(cr):
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(TABLE)))
    for function in (SYNC_FUNCTION, BLACKLIST_FUNCTION, PARTNER_TZ_FUNCTION):
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s() CASCADE", SQL.identifier(function)))
    cr.execute("ALTER TABLE crm_lead RESET (fillfactor)")


# The arguments of the claim sub-selects, as placeholders of a prepared statement (see
# ClaimArgs.values for the values in the same order).
PREPARED_ARGS = {
    "uid": SQL("$1"),
    "now": SQL("$2"),
    "shared_from": SQL("$3"),  # a personal callback due before this is anyone's
    "skip_from": SQL("$4"),  # a skip before this no longer keeps the lead from its skipper
}
PREPARED_ARG_TYPES = "int4, timestamp, timestamp, timestamp"


def available_sql(alias, args):
    """The queue row ``alias`` may be offered now to user ``args['uid']``: no retry or
    callback still to come, no personal callback of a colleague still in its grace
    period, not skipped by this user within the hour."""
    q = SQL.identifier(alias)
    parts = [
        SQL("(%s.retry_at IS NULL OR %s.retry_at <= %s)", q, q, args["now"]),
        SQL(
            "(%s.callback_at IS NULL OR (%s.callback_at <= %s AND (%s.callback_user_id IS NULL"
            " OR %s.callback_user_id = %s OR %s.callback_at <= %s)))",
            q,
            q,
            args["now"],
            q,
            q,
            args["uid"],
            q,
            args["shared_from"],
        ),
        SQL(
            "(%s.skipped_by_id IS NULL OR %s.skipped_by_id <> %s OR %s.skipped_at <= %s)",
            q,
            q,
            args["uid"],
            q,
            args["skip_from"],
        ),
    ]
    return SQL(" AND ").join(parts)


def pick_sql(query, args, order="standard", timezones=None, callbacks=False, retries=False):
    """Turn ``query`` (crm_lead under the caller's domain and record rules) into the
    sub-select that picks and locks the first free lead available now, in queue ``order``
    (``callbacks``: the first due callback instead; ``retries``: the first of the caller's
    own reserved leads whose retry is due, which comes back to them, not to anyone).

    ``timezones`` (SQL of an array, or None for any time): the zones whose local time is
    inside the calling hours. Then the first lead of each such zone is picked on its own,
    through an index that starts with the zone, and the best of them is kept: as a mere
    filter on the queue order, the zone would make every claim step over all the leads of
    the closed zones ahead of the first open one, a number that grows with each claim."""
    table = query.table
    alias = query.make_alias(table, "lead_flow_queue")
    q = SQL.identifier(alias)
    joined = SQL("%s = %s", SQL.identifier(alias, "lead_id"), SQL.identifier(table, "id"))
    query.add_join("JOIN", alias, TABLE, joined)
    if retries:
        query.add_where(SQL("%s.reserved_user_id IS NOT NULL", q))
        query.add_where(SQL("%s.reserved_user_id = %s", q, args["uid"]))
        query.add_where(SQL("%s.retry_at <= %s", q, args["now"]))
    else:
        query.add_where(SQL("%s.reserved_user_id IS NULL", q))
    query.add_where(available_sql(alias, args))
    if callbacks:
        query.add_where(SQL("%s.callback_at IS NOT NULL", q))
        # Due ones only, on its own: a bound of the callback index's scan (Index Cond),
        # so the callbacks still to come (most of them) are not walked at every claim.
        query.add_where(SQL("%s.callback_at <= %s", q, args["now"]))
    order_by = CALLBACK_ORDER if callbacks else RETRY_ORDER if retries else ORDERS[order]
    query.limit = 1
    locked = SQL(" FOR UPDATE OF %s SKIP LOCKED", SQL.identifier(table))
    if timezones is None or retries:  # an operator's own due retries are few: a filter
        if timezones is not None:
            query.add_where(SQL("%s.tz = ANY(%s)", q, timezones))
        query.order = SQL(", ").join(
            SQL("%s.%s %s", q, SQL.identifier(column), SQL(direction))
            for column, direction in order_by
        )
        return SQL("(%s%s)", query.select(), locked)
    query.add_where(SQL("%s.tz = %s.tz", q, SQL.identifier(ZONE_ALIAS)))
    if not callbacks:
        query.add_where(SQL("%s.callback_at IS NULL", q))  # the zone index's predicate
    query.order = SQL(", ").join(
        SQL("%s.%s %s", q, SQL.identifier(column), SQL(direction)) for column, direction in order_by
    )
    keys = [
        SQL("%s.%s AS %s", q, SQL.identifier(column), SQL.identifier(f"k{n}"))
        for n, (column, _direction) in enumerate(order_by)
    ]
    inner = SQL("%s%s", query.select(SQL.identifier(table, "id"), *keys), locked)
    return SQL(
        "(SELECT p.id FROM unnest(%s) AS %s (tz) CROSS JOIN LATERAL (%s) AS p ORDER BY %s LIMIT 1)",
        timezones,
        SQL.identifier(ZONE_ALIAS),
        inner,
        SQL(", ").join(
            SQL("p.%s %s", SQL.identifier(f"k{n}"), SQL(direction))
            for n, (_column, direction) in enumerate(order_by)
        ),
    )


# Mark the table's dead row versions (the rows claims and releases left) dead for every
# scan, without the index pass (autovacuum does it): see claim_connection.claimed.
CLEANUP = f"VACUUM (INDEX_CLEANUP OFF, TRUNCATE OFF, SKIP_LOCKED) {TABLE}"


# Free the reservations taken before $1, found through this table's index (skipping rows
# another claim is locking), so that the claim, which reads free leads only, still treats
# expired ones as free.
RELEASE_EXPIRED = f"""UPDATE crm_lead
              SET lead_flow_reserved_user_id = NULL, lead_flow_reserved_at = NULL
            WHERE id IN (SELECT l.id FROM {TABLE} q JOIN crm_lead l ON l.id = q.lead_id
                          WHERE q.reserved_user_id IS NOT NULL AND q.reserved_at < $1
                            AND l.lead_flow_reserved_user_id IS NOT NULL
                            AND l.lead_flow_reserved_at < $1
                            FOR UPDATE OF l SKIP LOCKED)"""


def callbacks_of_sql(uid):
    """The open leads with a personal callback for ``uid``, from its small partial index."""
    return SQL(
        "(SELECT lead_id FROM %s WHERE callback_user_id IS NOT NULL AND callback_user_id = %s)",
        SQL.identifier(TABLE),
        uid,
    )


def reserved_by_sql(uid, at=None):
    """The open leads reserved for ``uid`` (at ``at`` only, if given), from the small
    partial index of reservations."""
    return SQL(
        "(SELECT lead_id FROM %s WHERE reserved_user_id IS NOT NULL AND reserved_user_id = %s%s)",
        SQL.identifier(TABLE),
        uid,
        SQL(" AND reserved_at = %s", at) if at else SQL(),
    )
