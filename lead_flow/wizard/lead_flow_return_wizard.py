from odoo import fields, models


class LeadFlowReturnWizard(models.TransientModel):
    _name = "lead.flow.return.wizard"
    _description = "Return a lead"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    reason_id = fields.Many2one("lead.flow.return.reason")
    note = fields.Text()

    def action_request(self):
        self.ensure_one()
        self.lead_id.lead_flow_request_return(self.reason_id.id, note=self.note)
        return {"type": "ir.actions.act_window_close"}


class LeadFlowReturnDecisionWizard(models.TransientModel):
    _name = "lead.flow.return.decision.wizard"
    _description = "Approve or deny lead returns"

    return_ids = fields.Many2many("lead.flow.return", string="Returns", required=True)
    note = fields.Text("Decision note")

    def action_approve(self):
        self.return_ids.action_approve(note=self.note)
        return {"type": "ir.actions.act_window_close"}

    def action_deny(self):
        self.return_ids.action_deny(note=self.note)
        return {"type": "ir.actions.act_window_close"}
