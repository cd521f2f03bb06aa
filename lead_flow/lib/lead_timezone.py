"""A lead's time zone, in SQL: the rule is written once, here, and used by the queue table's
trigger (Next lead offers a lead only inside the calling hours of its local time) and by
crm.lead.lead_flow_tz (the lead form's "Local time").

    lead_flow_lead_tz(partner_id, state_id, country_id, company_id) -> varchar

The contact's time zone; else its state's, else its country's (table lead_flow_region_tz,
filled from lib/region_timezones at each install and upgrade); else the time zone of the
lead's company (its partner's); else 'UTC'. A state without a row of its own falls back to
its country, also when the lead has a state but no country. STABLE, not IMMUTABLE: its answer
changes with the contact's time zone, so it cannot be indexed; the queue table stores it.
"""

from odoo.tools import SQL

from . import region_timezones

FUNCTION = "lead_flow_lead_tz"
TABLE = "lead_flow_region_tz"

CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    country_code varchar NOT NULL,
    state_code varchar NOT NULL DEFAULT '',
    tz varchar NOT NULL,
    PRIMARY KEY (country_code, state_code)
)
"""
# Partner and company time zones are a selection of pytz.all_timezones; '' is treated as
# unset, as Odoo does. PL/pgSQL rather than one SQL expression: its sub-selects keep a SQL
# function from being inlined, and PL/pgSQL caches their plans and stops at the first zone
# found (about half the time per call, measured).
CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(
    partner_id integer, state_id integer, country_id integer, company_id integer
) RETURNS varchar LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    zone varchar;
    country integer := $3;
BEGIN
    IF $1 IS NOT NULL THEN
        SELECT nullif(p.tz, '') INTO zone FROM res_partner p WHERE p.id = $1;
        IF zone IS NOT NULL THEN RETURN zone; END IF;
    END IF;
    IF $2 IS NOT NULL THEN
        SELECT r.tz, coalesce(country, s.country_id) INTO zone, country
          FROM res_country_state s
          LEFT JOIN res_country c ON c.id = s.country_id
          LEFT JOIN {TABLE} r
                 ON r.country_code = upper(c.code) AND r.state_code = upper(s.code)
         WHERE s.id = $2;
        IF zone IS NOT NULL THEN RETURN zone; END IF;
    END IF;
    IF country IS NOT NULL THEN
        SELECT r.tz INTO zone FROM res_country c
          JOIN {TABLE} r ON r.country_code = upper(c.code) AND r.state_code = ''
         WHERE c.id = country;
        IF zone IS NOT NULL THEN RETURN zone; END IF;
    END IF;
    IF $4 IS NOT NULL THEN
        SELECT nullif(p.tz, '') INTO zone
          FROM res_company co JOIN res_partner p ON p.id = co.partner_id
         WHERE co.id = $4;
        IF zone IS NOT NULL THEN RETURN zone; END IF;
    END IF;
    RETURN 'UTC';
END
$$
"""


def install(cr):
    """Create or refresh the region table and the function. Called by crm.lead's init at
    every install and upgrade, and by the queue table's install before its trigger uses the
    function; cheap (a few hundred rows read, rewritten only when they changed; nothing is
    locked on crm_lead). Leads already in the queue table keep the time zone they had."""
    cr.execute(CREATE_TABLE)
    rows = region_timezones.rows()
    cr.execute(SQL("SELECT country_code, state_code, tz FROM %s", SQL.identifier(TABLE)))
    if set(cr.fetchall()) != set(rows):  # new zones (pytz, region_timezones) or first install
        _fill(cr, rows)
    cr.execute(CREATE_FUNCTION)


def _fill(cr, rows):
    cr.execute(SQL("DELETE FROM %s", SQL.identifier(TABLE)))
    cr.execute(
        SQL(
            "INSERT INTO %s (country_code, state_code, tz)"
            " SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[])",
            SQL.identifier(TABLE),
            [row[0] for row in rows],
            [row[1] for row in rows],
            [row[2] for row in rows],
        )
    )


def uninstall(cr):
    """Drop the function and its table (the uninstall hook, after the queue table's trigger
    that calls the function is gone)."""
    cr.execute(
        SQL(
            "DROP FUNCTION IF EXISTS %s(integer, integer, integer, integer)",
            SQL.identifier(FUNCTION),
        )
    )
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(TABLE)))


def lead_timezones(cr, leads):
    """{key: time zone} for ``leads``, a list of (key, partner_id, state_id, country_id,
    company_id) with integer keys (e.g. positions, for leads not saved yet), in one query."""
    if not leads:
        return {}
    columns = list(zip(*leads))
    cr.execute(
        SQL(
            "SELECT t.i, %s(t.p, t.s, t.c, t.co) FROM unnest(%s::int[], %s::int[], %s::int[],"
            " %s::int[], %s::int[]) AS t(i, p, s, c, co)",
            SQL.identifier(FUNCTION),
            *(list(column) for column in columns),
        )
    )
    return dict(cr.fetchall())
