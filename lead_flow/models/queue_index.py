"""The free-lead index of Next lead: a narrow table kept in step with crm_lead by a trigger.

Next lead must find the first free lead in queue order at once, however many leads are
reserved, so "free" has to be in an index. On crm_lead itself that index makes every claim
rewrite the lead row with a new entry in each of its thirty-odd indexes (seven of them GIN
trigram ones): a reservation changes an indexed column, so PostgreSQL cannot update the row
in place (HOT). Here the open leads' queue keys and reservation live in
``lead_flow_queue_index`` instead, with a partial index of the free ones in queue order;
crm_lead keeps the reservation columns (the public fields) with no index on them, so a claim
is a HOT update of the lead (crm_lead gets a fill factor that leaves room for it on each page)
plus a small update here. A row trigger on crm_lead keeps the table exact for every writer:
the ORM, SQL bulk loads, the claim itself.

Rows: the open leads (active, Lead Flow status None or In progress). Won stages, the queue
scope and record rules are checked on crm_lead when claiming, as before.
"""

from odoo.tools import SQL

TABLE = "lead_flow_queue_index"
SYNC_FUNCTION = "lead_flow_queue_index_sync"
# Reserve room on each crm_lead page for the new row versions of HOT updates.
LEAD_FILLFACTOR = 90
# crm_lead indexes of earlier versions that put the reservation in an index.
OBSOLETE_LEAD_INDEXES = (
    "crm_lead_lead_flow_free_idx",
    "crm_lead_lead_flow_reserved_at_idx",
    "crm_lead__lead_flow_reserved_user_id_index",
)
# The open leads, in SQL (``t``: a table alias and its dot, or "" in an index predicate).
OPEN_LEAD = "{t}active AND {t}lead_flow_state IN ('none', 'in_progress')"
COLUMNS = "lead_id, last_contact_at, priority, create_date, reserved_user_id, reserved_at"
LEAD_VALUES = (
    "{t}.id, {t}.lead_flow_last_contact_at, {t}.priority, {t}.create_date,"
    " {t}.lead_flow_reserved_user_id, {t}.lead_flow_reserved_at"
)
# Same order as the queue (see crm_lead_queue.QUEUE_ORDER), on this table's columns: the
# free-lead index and the claim's ORDER BY.
ORDER = (
    ("last_contact_at", "ASC NULLS FIRST"),
    ("priority", "DESC"),
    ("create_date", "ASC"),
    ("lead_id", "ASC"),
)
WATCHED_FIELDS = [
    "active",
    "lead_flow_state",
    "lead_flow_last_contact_at",
    "priority",
    "create_date",
    "lead_flow_reserved_user_id",
    "lead_flow_reserved_at",
]
WATCHED = ", ".join(WATCHED_FIELDS)

CREATE_TABLE = f"""
CREATE TABLE {TABLE} (
    lead_id integer PRIMARY KEY REFERENCES crm_lead (id) ON DELETE CASCADE,
    last_contact_at timestamp,
    priority varchar,
    create_date timestamp,
    reserved_user_id integer,
    reserved_at timestamp
);
CREATE INDEX {TABLE}_free_idx ON {TABLE}
    ({", ".join(f"{column} {direction}" for column, direction in ORDER)})
    WHERE reserved_user_id IS NULL;
CREATE INDEX {TABLE}_reserved_idx ON {TABLE} (reserved_at, reserved_user_id)
    WHERE reserved_user_id IS NOT NULL;
"""

# Bring the table in line with crm_lead whatever happened while no trigger could see it:
# writes committed during an install or upgrade (hidden from its snapshot), a restore or a
# session with triggers disabled. First a read-only comparison (no row locks: claims go
# on), then only the rows found different are written.
DRIFTED = f"""
SELECT coalesce(l.id, q.lead_id)
  FROM (SELECT {LEAD_VALUES.format(t="c")} FROM crm_lead c WHERE {OPEN_LEAD.format(t="c.")})
       AS l (id, last_contact_at, priority, create_date, reserved_user_id, reserved_at)
  FULL JOIN {TABLE} q ON q.lead_id = l.id
 WHERE (l.id, l.last_contact_at, l.priority, l.create_date, l.reserved_user_id, l.reserved_at)
       IS DISTINCT FROM
       (q.lead_id, q.last_contact_at, q.priority, q.create_date, q.reserved_user_id,
        q.reserved_at)
"""
REPAIR = f"""
DELETE FROM {TABLE} WHERE lead_id = ANY(%(ids)s);
INSERT INTO {TABLE} ({COLUMNS})
     SELECT {LEAD_VALUES.format(t="l")} FROM crm_lead l
      WHERE l.id = ANY(%(ids)s) AND {OPEN_LEAD.format(t="l.")};
"""

SYNC = f"""
CREATE OR REPLACE FUNCTION {SYNC_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {OPEN_LEAD.format(t="NEW.")} THEN
        INSERT INTO {TABLE} ({COLUMNS}) VALUES ({LEAD_VALUES.format(t="NEW")})
        ON CONFLICT (lead_id) DO UPDATE
           SET last_contact_at = EXCLUDED.last_contact_at, priority = EXCLUDED.priority,
               create_date = EXCLUDED.create_date, reserved_user_id = EXCLUDED.reserved_user_id,
               reserved_at = EXCLUDED.reserved_at;
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM {TABLE} WHERE lead_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
"""
# Created once: dropping and creating a trigger locks crm_lead for the whole upgrade. Updates
# fire it only when they change a queue key (an ORM write lists the columns it writes, even
# when their values stay the same, e.g. a merge or an import writing back the priority).
TRIGGERS = {
    f"{SYNC_FUNCTION}_insert": f"""
CREATE TRIGGER {SYNC_FUNCTION}_insert AFTER INSERT ON crm_lead
    FOR EACH ROW EXECUTE FUNCTION {SYNC_FUNCTION}();
""",
    f"{SYNC_FUNCTION}_update": f"""
CREATE TRIGGER {SYNC_FUNCTION}_update AFTER UPDATE OF {WATCHED} ON crm_lead
    FOR EACH ROW WHEN (({", ".join(f"OLD.{name}" for name in WATCHED_FIELDS)})
                       IS DISTINCT FROM ({", ".join(f"NEW.{name}" for name in WATCHED_FIELDS)}))
    EXECUTE FUNCTION {SYNC_FUNCTION}();
""",
}
# Earlier versions' single trigger, on every insert and on any write listing a queue key.
OBSOLETE_TRIGGER = SYNC_FUNCTION


def install(cr):
    """Create the table, its trigger and the crm_lead storage they rely on, each only when
    missing (crm.lead's init runs at every upgrade of any module extending leads), then
    reconcile the table with crm_lead."""
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
    cr.execute("SELECT to_regclass(%s)", [TABLE])
    if not cr.fetchone()[0]:
        cr.execute(CREATE_TABLE)
    cr.execute(SYNC)  # CREATE OR REPLACE FUNCTION: no lock on crm_lead
    cr.execute(
        "SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s) AND tgrelid = 'crm_lead'::regclass",
        [[*TRIGGERS, OBSOLETE_TRIGGER]],
    )
    existing = {row[0] for row in cr.fetchall()}
    if OBSOLETE_TRIGGER in existing:
        cr.execute(SQL("DROP TRIGGER %s ON crm_lead", SQL.identifier(OBSOLETE_TRIGGER)))
    for name, create in TRIGGERS.items():
        if name not in existing:
            cr.execute(create)
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
    cr.execute(SQL("DROP FUNCTION IF EXISTS %s() CASCADE", SQL.identifier(SYNC_FUNCTION)))
    cr.execute("ALTER TABLE crm_lead RESET (fillfactor)")


def pick_sql(query):
    """Turn ``query`` (crm_lead under the caller's domain and record rules) into the
    sub-select that picks and locks the first free lead in queue order."""
    table = query.table
    alias = query.make_alias(table, "lead_flow_queue")
    joined = SQL("%s = %s", SQL.identifier(alias, "lead_id"), SQL.identifier(table, "id"))
    query.add_join("JOIN", alias, TABLE, joined)
    query.add_where(SQL("%s IS NULL", SQL.identifier(alias, "reserved_user_id")))
    query.order = SQL(", ").join(
        SQL("%s %s", SQL.identifier(alias, column), SQL(direction)) for column, direction in ORDER
    )
    query.limit = 1
    return SQL("%s FOR UPDATE OF %s SKIP LOCKED", query.select(), SQL.identifier(table))


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


def reserved_by_sql(uid, at=None):
    """The open leads reserved for ``uid`` (at ``at`` only, if given), from the small
    partial index of reservations."""
    return SQL(
        "(SELECT lead_id FROM %s WHERE reserved_user_id IS NOT NULL AND reserved_user_id = %s%s)",
        SQL.identifier(TABLE),
        uid,
        SQL(" AND reserved_at = %s", at) if at else SQL(),
    )
