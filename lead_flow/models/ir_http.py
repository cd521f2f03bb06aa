from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        info = super().session_info()
        # The web client asks for the console's data as it starts when the console opens
        # first (static/src/console/console_prefetch.js): it must know the console.
        info["lead_flow_console_action_id"] = self.env["ir.model.data"]._xmlid_to_res_id(
            "lead_flow.action_lead_flow_console", raise_if_not_found=False
        )
        return info
