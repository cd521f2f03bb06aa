from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..models.lead_flow_return import RETURN_STATES


class LeadFlowReturnReport(models.Model):
    """Return rate: one row per lead received by a salesperson, with its latest return."""

    _name = "lead.flow.return.report"
    _description = "Lead Flow return analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "date desc, id desc"
    _lead_flow_lead_field = "lead_id"  # visible to whoever reads the lead (ir_rule.py)
    _lead_flow_lead_company_field = "company_id"  # the lead's own, read from crm_lead

    lead_id = fields.Many2one("crm.lead", readonly=True)
    date = fields.Datetime("Received on", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    reason_id = fields.Many2one("lead.flow.return.reason", readonly=True)
    state = fields.Selection(RETURN_STATES, string="Return status", readonly=True)
    received_count = fields.Integer("Leads received", readonly=True, aggregator="sum")
    returned_count = fields.Integer("Returns requested", readonly=True, aggregator="sum")
    approved_count = fields.Integer("Returns approved", readonly=True, aggregator="sum")
    return_rate = fields.Float(
        "Return rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Returns requested per 100 leads received, from the totals of each group.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT l.id, l.id AS lead_id, COALESCE(l.date_open, l.create_date) AS date,
                           l.user_id, l.team_id, l.company_id, r.reason_id, r.state,
                           1 AS received_count,
                           CASE WHEN r.id IS NULL THEN 0 ELSE 1 END AS returned_count,
                           CASE WHEN r.state = 'approved' THEN 1 ELSE 0 END AS approved_count,
                           CASE WHEN r.id IS NULL THEN 0.0 ELSE 100.0 END AS return_rate
                      FROM crm_lead l
                 LEFT JOIN LATERAL (
                           SELECT id, reason_id, state FROM lead_flow_return
                            WHERE lead_id = l.id ORDER BY date DESC, id DESC LIMIT 1
                           ) r ON TRUE
                     WHERE l.user_id IS NOT NULL
                )
                """,
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        """A group's rate is its returns over its leads, whatever aggregate is asked."""
        if aggregate_spec.split(":")[0] == "return_rate":
            self._field_to_sql(self._table, "return_rate", query)  # checks read access
            returned = self._field_to_sql(self._table, "returned_count", query)
            return SQL(
                "ROUND(100.0 * SUM(%s) / NULLIF(COUNT(*), 0), 2)::double precision", returned
            )
        return super()._read_group_select(aggregate_spec, query)
