from odoo import api, models


class ReportLeadSheet(models.AbstractModel):
    _inherit = "report.lead_flow.report_lead_sheet"

    @api.model
    def _get_report_values(self, docids, data=None):
        values = super()._get_report_values(docids, data)
        if self.env.context.get("lead_flow_portal_buyer_id"):
            # Printed for a buyer (the portal renders as superuser once it checked the
            # lead): only the entries of types marked Visible to buyers.
            for key in ("history", "notes"):
                values[key] = {
                    lead_id: entries.filtered("type_id.lead_flow_buyer_visible")
                    for lead_id, entries in values[key].items()
                }
            values["history_total"] = {
                lead_id: len(entries) for lead_id, entries in values["history"].items()
            }
        return values
