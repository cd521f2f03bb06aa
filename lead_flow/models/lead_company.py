"""Lead Flow rows keep their lead's company: a crm_lead trigger carries a company change to
them, whoever makes it (ORM write, recomputed company, SQL). Record rules can then filter
them on their own column (models/ir_rule.py) instead of joining crm_lead, and the daily
report totals move with the lead. Not a related stored field: the ORM would read every
changed lead's entries and returns to recompute them, at each assignment."""

from odoo.tools import SQL

# Tables with a lead_id and a company_id that follows it.
TABLES = ("lead_flow_log", "lead_flow_return")
FUNCTION = "lead_flow_follow_lead_company"
TRIGGER = f"{FUNCTION}_update"

_UPDATES = "\n".join(
    f"    UPDATE {table} SET company_id = NEW.company_id WHERE lead_id = NEW.id;"
    for table in TABLES
)
CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{_UPDATES}
    RETURN NULL;
END $$;
CREATE TRIGGER {TRIGGER} AFTER UPDATE OF company_id ON crm_lead FOR EACH ROW
    WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id) EXECUTE FUNCTION {FUNCTION}();
"""
_SYNCS = "\n".join(
    f"""UPDATE {table} t SET company_id = l.company_id FROM crm_lead l
         WHERE l.id = t.lead_id AND t.company_id IS DISTINCT FROM l.company_id;"""
    for table in TABLES
)


def install(cr):
    """Create the trigger once (re-creating it would lock crm_lead at every upgrade) and
    bring rows written before it in step."""
    cr.execute(
        "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = 'crm_lead'::regclass",
        [TRIGGER],
    )
    if cr.fetchone():
        return
    cr.execute(CREATE)
    cr.execute(_SYNCS)


def uninstall(cr):
    cr.execute(SQL("DROP FUNCTION IF EXISTS %s() CASCADE", SQL.identifier(FUNCTION)))
