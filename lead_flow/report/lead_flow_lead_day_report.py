from odoo import fields, models, tools
from odoo.tools import SQL

# Month boundaries on the UTC calendar (lead creation dates are stored in UTC).
THIS_MONTH = "date_trunc('month', now() AT TIME ZONE 'UTC')"


class LeadFlowLeadDayReport(models.Model):
    """Leads received this month and the previous month, one row per lead, so that a
    graph by day of month and period draws both months side by side."""

    _name = "lead.flow.lead.day.report"
    _description = "Lead Flow: leads received per day"
    _auto = False
    _rec_name = "lead_id"
    _lead_flow_lead_field = "lead_id"  # visible to whoever reads the lead (ir_rule.py)
    _lead_flow_lead_company_field = "company_id"  # the lead's own, read from crm_lead
    _order = "create_date desc, id desc"

    lead_id = fields.Many2one("crm.lead", readonly=True)
    create_date = fields.Datetime("Received on", readonly=True)
    day = fields.Integer(
        "Day of month", readonly=True, aggregator=None, help="Day of the month (UTC)."
    )
    period = fields.Selection(
        [("previous", "Previous month"), ("current", "This month")], readonly=True
    )
    lead_count = fields.Integer("Leads received", readonly=True, aggregator="sum")
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT
                        l.id,
                        l.id AS lead_id,
                        l.create_date,
                        EXTRACT(DAY FROM l.create_date)::integer AS day,
                        CASE WHEN l.create_date >= %s THEN 'current' ELSE 'previous' END
                            AS period,
                        1 AS lead_count,
                        l.user_id,
                        l.team_id,
                        l.company_id
                    FROM crm_lead l
                    WHERE l.create_date >= %s - interval '1 month'
                      AND l.create_date < %s + interval '1 month'
                )
                """,
                SQL.identifier(self._table),
                SQL(THIS_MONTH),
                SQL(THIS_MONTH),
                SQL(THIS_MONTH),
            )
        )
