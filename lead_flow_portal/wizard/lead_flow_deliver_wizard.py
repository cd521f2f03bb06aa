from odoo import api, fields, models


class LeadFlowDeliverWizard(models.TransientModel):
    _name = "lead.flow.deliver.wizard"
    _description = "Lead Flow: deliver leads to a buyer"

    lead_ids = fields.Many2many("crm.lead", required=True)
    buyer_id = fields.Many2one(
        "res.partner", required=True, domain=[("lead_flow_is_buyer", "=", True)]
    )
    user_id = fields.Many2one(
        "res.users",
        string="Buyer user",
        domain="[('share', '=', True), ('commercial_partner_id', '=', buyer_id)]",
        help="Optional: the buyer's user who works the leads. Empty: the buyer's admins "
        "assign them.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "lead_ids" in fields_list and self.env.context.get("active_model") == "crm.lead":
            values["lead_ids"] = [(6, 0, self.env.context.get("active_ids") or [])]
        return values

    @api.onchange("buyer_id")
    def _onchange_buyer_id(self):
        if self.user_id.commercial_partner_id != self.buyer_id:
            self.user_id = False

    def action_deliver(self):
        self.ensure_one()
        self.lead_ids.lead_flow_deliver(self.buyer_id.id, self.user_id.id)
        return {"type": "ir.actions.act_window_close"}
