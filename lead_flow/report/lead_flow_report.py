from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..models.lead_flow_log import OUTCOMES

WEEKDAYS = [
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
    ("7", "Sunday"),
]

# The operator's clock: their own timezone, else their company's, else UTC.
LOCAL_DATE = """((l.date AT TIME ZONE 'UTC')
    AT TIME ZONE COALESCE(NULLIF(up.tz, ''), NULLIF(cp.tz, ''), 'UTC'))"""


class LeadFlowReport(models.Model):
    """Lead Flow analysis: one row per log entry that was not undone.

    A plain SQL view over ``lead_flow_log``; the timezone joins are LEFT JOINs on primary
    keys, so PostgreSQL drops them when neither ``hour`` nor ``weekday`` is asked for, and
    a pivot over a date range reads only the covering index created in :meth:`init`.
    """

    _name = "lead.flow.report"
    _description = "Lead Flow Analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "date desc, id desc"

    date = fields.Datetime(readonly=True)
    hour = fields.Integer(
        readonly=True,
        aggregator=None,
        help="Hour of the day (0-23) on the operator's clock: the timezone of the user who "
        "logged the entry, else their company's timezone, else UTC.",
    )
    weekday = fields.Selection(
        WEEKDAYS,
        readonly=True,
        help="Day of the week on the operator's clock (same timezone as Hour).",
    )
    user_id = fields.Many2one("res.users", string="Operator", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    lead_id = fields.Many2one(
        "crm.lead",
        string="Unique leads contacted",
        readonly=True,
        aggregator="count_distinct",
    )
    type_id = fields.Many2one("lead.flow.log.type", string="Activity type", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    closes_lead = fields.Boolean(string="Completes the lead", readonly=True)
    call_count = fields.Integer(
        string="Calls logged",
        readonly=True,
        aggregator="sum",
        help="Log entries (calls, e-mails, notes...) that were not undone.",
    )
    closed_count = fields.Integer(
        string="Closed leads",
        readonly=True,
        aggregator="sum",
        help="Entries that completed their lead.",
    )
    closing_rate = fields.Float(
        string="Closing rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Closed leads per 100 calls logged, computed from the totals of each group "
        "(closed leads / calls logged), so it stays right whatever the grouping.",
    )

    def _select(self):
        return f"""
            SELECT
                l.id,
                l.date,
                EXTRACT(HOUR FROM {LOCAL_DATE})::integer AS hour,
                EXTRACT(ISODOW FROM {LOCAL_DATE})::integer::varchar AS weekday,
                l.user_id,
                l.team_id,
                l.company_id,
                l.lead_id,
                l.type_id,
                l.outcome,
                l.closes_lead IS TRUE AS closes_lead,
                1 AS call_count,
                CASE WHEN l.closes_lead THEN 1 ELSE 0 END AS closed_count,
                CASE WHEN l.closes_lead THEN 100.0 ELSE 0.0 END AS closing_rate
        """

    def _from(self):
        return """
            FROM lead_flow_log l
            LEFT JOIN res_users u ON u.id = l.user_id
            LEFT JOIN res_partner up ON up.id = u.partner_id
            LEFT JOIN res_company c ON c.id = l.company_id
            LEFT JOIN res_partner cp ON cp.id = c.partner_id
        """

    def _where(self):
        # Same predicate as the partial index below, so the planner can use it.
        return "WHERE l.undone IS NOT TRUE"

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # Covering partial index: a date-range pivot by operator/outcome/team/type is an
        # index-only scan (no heap access) over the non-undone entries of the range.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS lead_flow_log_report_idx
                ON lead_flow_log (date, user_id, outcome)
                INCLUDE (closes_lead, lead_id, team_id, type_id, company_id)
                WHERE undone IS NOT TRUE
            """
        )
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s %s %s)",
                SQL.identifier(self._table),
                SQL(self._select()),
                SQL(self._from()),
                SQL(self._where()),
            )
        )

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        """The closing rate of a group is its closed leads over its calls, from the sums
        of the group's rows, whichever aggregate the client asks for."""
        if aggregate_spec.split(":")[0] == "closing_rate":
            self._field_to_sql(self._table, "closing_rate", query)  # checks read access
            closed = self._field_to_sql(self._table, "closed_count", query)
            return SQL("ROUND(100.0 * SUM(%s) / NULLIF(COUNT(*), 0), 2)::double precision", closed)
        return super()._read_group_select(aggregate_spec, query)
