from odoo import fields, models

from ..models.lead_flow_log import OUTCOMES

KEY = "date, user_id, team_id, type_id, company_id, outcome"
# NULL-safe conflict target (also works before PostgreSQL 15's NULLS NOT DISTINCT)
CONFLICT = """(date, COALESCE(user_id, 0), COALESCE(team_id, 0), COALESCE(type_id, 0),
    COALESCE(company_id, 0), COALESCE(outcome, ''))"""


def _upsert(source, sign):
    return f"""
        INSERT INTO lead_flow_report_daily AS r ({KEY}, call_count, closed_count)
        SELECT date_trunc('day', s.date), s.user_id, s.team_id, s.type_id, s.company_id,
               s.outcome, {sign} count(*), {sign} count(*) FILTER (WHERE s.closes_lead)
          FROM {source} s
         WHERE s.undone IS NOT TRUE AND s.origin = 'manual' AND s.date IS NOT NULL
         GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT {CONFLICT} DO UPDATE
           SET call_count = r.call_count + EXCLUDED.call_count,
               closed_count = r.closed_count + EXCLUDED.closed_count;
    """


TRIGGERS = f"""
    CREATE UNIQUE INDEX IF NOT EXISTS lead_flow_report_daily_key
        ON lead_flow_report_daily {CONFLICT};
    CREATE INDEX IF NOT EXISTS lead_flow_report_daily_date_idx
        ON lead_flow_report_daily (date)
        INCLUDE (user_id, team_id, type_id, company_id, outcome, call_count,
                 closed_count);
    CREATE OR REPLACE FUNCTION lead_flow_report_daily_apply() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN {_upsert("old_rows", "-")} END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {_upsert("new_rows", "")} END IF;
        RETURN NULL;
    END $$;
    DROP TRIGGER IF EXISTS lead_flow_report_daily_ins ON lead_flow_log;
    DROP TRIGGER IF EXISTS lead_flow_report_daily_upd ON lead_flow_log;
    DROP TRIGGER IF EXISTS lead_flow_report_daily_del ON lead_flow_log;
    CREATE TRIGGER lead_flow_report_daily_ins AFTER INSERT ON lead_flow_log
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION lead_flow_report_daily_apply();
    CREATE TRIGGER lead_flow_report_daily_upd AFTER UPDATE ON lead_flow_log
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION lead_flow_report_daily_apply();
    CREATE TRIGGER lead_flow_report_daily_del AFTER DELETE ON lead_flow_log
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION lead_flow_report_daily_apply();
    """
REBUILD = _upsert("lead_flow_log", "")


class LeadFlowReportDaily(models.Model):
    """Calls and closed leads per UTC day, operator, team, type, company and outcome.

    Kept exact by statement-level triggers on ``lead_flow_log`` (inserts, updates such as
    undo or an AI outcome, deletes, SQL bulk loads alike). ``lead.flow.report`` answers
    its pivots from here when the grouping allows it: a month holds thousands of rows
    here instead of millions of entries.
    """

    _name = "lead.flow.report.daily"
    _description = "Lead Flow Analysis: daily totals"
    _log_access = False
    # No lead column: shown only to users who see every lead of their companies (ir_rule.py)
    _lead_flow_lead_totals = True
    _order = "date desc, id desc"

    date = fields.Datetime(readonly=True, help="Start of the UTC day.")
    user_id = fields.Many2one("res.users", string="Operator", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    type_id = fields.Many2one("lead.flow.log.type", string="Activity type", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    call_count = fields.Integer("Calls logged", readonly=True, aggregator="sum")
    closed_count = fields.Integer("Closed leads", readonly=True, aggregator="sum")

    def init(self):
        cr = self.env.cr
        cr.execute(TRIGGERS)
        cr.execute("SELECT 1 FROM lead_flow_report_daily LIMIT 1")
        if not cr.fetchone():  # first install, or added to a database with history
            cr.execute(REBUILD)
