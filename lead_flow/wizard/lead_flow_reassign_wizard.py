from odoo import fields, models


class LeadFlowReassignWizard(models.TransientModel):
    _name = "lead.flow.reassign.wizard"
    _description = "Reassign Lead Flow reservations"

    lead_ids = fields.Many2many("crm.lead", string="Leads", required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Reserve for",
        required=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("lead_flow.group_lead_flow_operator").id),
            ("share", "=", False),
        ],
    )

    def action_reassign(self):
        self.ensure_one()
        self.lead_ids.lead_flow_reassign(self.user_id.id)
        return {"type": "ir.actions.act_window_close"}
