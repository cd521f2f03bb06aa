from odoo import api, fields, models

# Context key: when the author of the manual entry being created started on its lead.
STARTED_AT_KEY = "lead_flow_work_started_at"


class LeadFlowLog(models.Model):
    _inherit = "lead.flow.log"  # pylint: disable=consider-merging-classes-inherited

    handle_seconds = fields.Integer(
        "Handle time (seconds)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Time from when the author started on the lead (Next lead, or their previous "
        "note while they kept the lead reserved) to this note. Empty when unknown.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # Set with the entry, not written after it: every update of an entry also updates
        # the report's daily totals (report/lead_flow_report_daily.py).
        started_at = fields.Datetime.to_datetime(self.env.context.get(STARTED_AT_KEY))
        if started_at:
            for vals in vals_list:
                if (
                    vals.get("origin") == "manual"
                    and vals.get("date")
                    and "handle_seconds" not in vals
                ):
                    seconds = (
                        fields.Datetime.to_datetime(vals["date"]) - started_at
                    ).total_seconds()
                    if seconds >= 0:
                        vals["handle_seconds"] = int(seconds)
        return super().create(vals_list)
