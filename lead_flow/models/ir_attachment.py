from odoo import api, models


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model_create_multi
    def create(self, vals_list):
        attachments = super().create(vals_list)
        self._lead_flow_log(attachments)
        return attachments

    def write(self, vals):
        moved = self.browse()
        if vals.get("res_model") == "crm.lead" and vals.get("res_id"):
            moved = self.filtered(lambda a: a.res_model != "crm.lead")
        res = super().write(vals)
        self._lead_flow_log(moved)
        return res

    def unlink(self):
        on_leads = self.filtered(lambda a: a.res_model == "crm.lead" and a.res_id)
        if on_leads:
            self.env["crm.lead"]._lead_flow_log_attachments(on_leads.sudo(), removed=True)
        return super().unlink()

    def _lead_flow_log(self, attachments):
        """Log documents attached to leads (not field binaries such as images)."""
        on_leads = attachments.filtered(
            lambda a: a.res_model == "crm.lead" and a.res_id and not a.res_field
        )
        if on_leads:
            self.env["crm.lead"]._lead_flow_log_attachments(on_leads.sudo())
