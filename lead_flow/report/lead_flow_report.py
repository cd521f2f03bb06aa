from datetime import date, datetime, time, timedelta

from odoo import api, fields, models, tools
from odoo.osv import expression
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

# What the daily totals (lead.flow.report.daily) can answer.
ROLLUP_FIELDS = {"date", "user_id", "team_id", "type_id", "company_id", "outcome"}
ROLLUP_AGGREGATES = {"__count", "call_count:sum", "closed_count:sum"}
DAY = timedelta(days=1)

# The operator's clock: their own timezone, else their company's, else UTC.
LOCAL_DATE = """((l.date AT TIME ZONE 'UTC')
    AT TIME ZONE COALESCE(NULLIF(up.tz, ''), NULLIF(cp.tz, ''), 'UTC'))"""


class LeadFlowReport(models.Model):
    """Lead Flow analysis: one row per operator log entry that was not undone.

    A plain SQL view over ``lead_flow_log``; the timezone joins are LEFT JOINs on primary
    keys, so PostgreSQL drops them when neither ``hour`` nor ``weekday`` is asked for, and
    a pivot over a date range reads only the covering index created in :meth:`init`.
    """

    _name = "lead.flow.report"
    _description = "Lead Flow Analysis"
    _auto = False
    _rec_name = "lead_id"
    _lead_flow_lead_field = "lead_id"  # visible to whoever reads the lead (ir_rule.py)
    _lead_flow_lead_company_field = "company_id"  # the entry's: its lead's (lead_company.py)
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
        # Operators' entries only (automatic ones record what happened to the lead, not
        # work done); same predicate as the partial index below, so the planner uses it.
        return "WHERE l.undone IS NOT TRUE AND l.origin = 'manual'"

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # Covering partial index: a date-range pivot by operator/outcome/team/type is an
        # index-only scan (no heap access) over the non-undone entries of the range.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS lead_flow_log_report_manual_idx
                ON lead_flow_log (date, user_id, outcome)
                INCLUDE (closes_lead, lead_id, team_id, type_id, company_id)
                WHERE undone IS NOT TRUE AND origin = 'manual'
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

    @api.model
    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        self.env["lead.flow.log"].flush_model()
        zones = self._rollup_raw_zones(domain, groupby, aggregates, having, offset, limit, order)
        if zones is None:
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        return self._read_group_rollup(domain, groupby, aggregates, zones, order)

    @api.model
    def _rollup_raw_zones(self, domain, groupby, aggregates, having, offset, limit, order):
        """None when the daily totals cannot answer this read_group exactly; else the UTC
        days cut by a date bound of the domain, to be read from the entries themselves."""
        if self.env.context.get("lead_flow_report_raw") or having or offset or limit:
            return None
        if not self.env.su and self.env["ir.rule"]._lead_flow_totals_domain() is None:
            return None  # the user sees only some leads: the totals cannot say which
        # read_group orders by the groupby itself: fine; any other order is not
        order_fields = [term.split()[0].split(":")[0] for term in (order or "").split(",") if term]
        if not set(order_fields) <= set(groupby):
            return None
        if not set(groupby) <= ROLLUP_FIELDS - {"date"}:
            return None
        if any(
            spec not in ROLLUP_AGGREGATES and spec.split(":")[0] != "closing_rate"
            for spec in aggregates
        ):
            return None
        zones = set()
        for leaf in expression.normalize_domain(domain or []):
            if not expression.is_leaf(leaf) or leaf in (
                expression.TRUE_LEAF,
                expression.FALSE_LEAF,
            ):
                continue
            path, operator, value = leaf
            fname = str(path).split(".")[0]
            if fname not in ROLLUP_FIELDS:
                return None
            if fname != "date":
                continue
            if operator not in ("<", "<=", ">", ">=") or not value:
                return None
            if isinstance(value, date) and not isinstance(value, datetime):
                value = datetime.combine(value, time.min)
            try:
                value = fields.Datetime.to_datetime(value)
            except ValueError:
                return None
            day = datetime.combine(value.date(), time.min)
            if value != day or operator in ("<=", ">"):
                zones.add((day, day + DAY))
        return sorted(zones)

    @api.model
    def _read_group_rollup(self, domain, groupby, aggregates, zones, order=None):
        """Sum the daily totals outside the zones and the entries inside them, per group."""
        measures = ["call_count:sum", "closed_count:sum"]
        zone_domain = expression.OR(
            [[("date", ">=", start), ("date", "<", stop)] for start, stop in zones]
        )
        daily_domain = domain or []
        if zones:
            daily_domain = expression.AND([daily_domain, ["!", *zone_domain]])
        rows = self.env["lead.flow.report.daily"]._read_group(
            daily_domain, groupby, measures, order=order
        )
        if zones:
            rows += self.with_context(lead_flow_report_raw=True)._read_group(
                expression.AND([domain or [], zone_domain]), groupby, measures, order=order
            )
        totals = {}
        for row in rows:
            key = row[: len(groupby)]
            calls, closed = totals.get(key, (0, 0))
            totals[key] = (calls + (row[-2] or 0), closed + (row[-1] or 0))
        result = []
        for key, (calls, closed) in totals.items():
            if not calls and groupby:
                continue  # every entry of the group was undone or moved away
            values = []
            for spec in aggregates:
                if spec == "closed_count:sum":
                    values.append(closed)
                elif spec.startswith("closing_rate"):
                    values.append(round(100.0 * closed / calls, 2) if calls else None)
                else:
                    values.append(calls)
            result.append((*key, *values))
        return result
