from odoo import api, fields, models
from odoo.tools import SQL


class LeadFlowReport(models.Model):
    """Productivity measures: average handle time and calls per hour worked."""

    _inherit = "lead.flow.report"

    handle_time = fields.Float(
        "Average handle time (min)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Minutes from when the operator started on the lead (Next lead, or their "
        "previous note while they kept it) to the note. Notes without a known start are "
        "left out of the average.",
    )
    calls_per_hour = fields.Float(
        "Calls per hour",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Calls logged divided by the hours worked: an hour worked is one operator "
        "during one clock hour in which they logged at least one call. Grouped by team or "
        "by day, it is the average per operator and hour worked.",
    )

    def _select(self):
        return (
            super()._select()
            + """,
                l.handle_seconds / 60.0 AS handle_time,
                1.0 AS calls_per_hour
        """
        )

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        """Calls per hour of a group: its rows over its distinct (operator, clock hour)
        pairs, whichever aggregate the client asks for."""
        if aggregate_spec.split(":")[0] == "calls_per_hour":
            self._field_to_sql(self._table, "calls_per_hour", query)  # checks read access
            user = self._field_to_sql(self._table, "user_id", query)
            date = self._field_to_sql(self._table, "date", query)
            return SQL(
                "ROUND(COUNT(*)::numeric / NULLIF(COUNT(DISTINCT (%s, date_trunc('hour', %s))),"
                " 0), 2)::double precision",
                user,
                date,
            )
        return super()._read_group_select(aggregate_spec, query)
