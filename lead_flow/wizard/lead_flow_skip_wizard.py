from odoo import fields, models


class LeadFlowSkipWizard(models.TransientModel):
    _name = "lead.flow.skip.wizard"
    _description = "Skip a lead in Lead Flow"

    lead_ids = fields.Many2many("crm.lead", string="Leads", required=True)
    reason = fields.Text(required=True, help="Why you pass on the lead: kept in its history.")

    def action_skip(self):
        self.ensure_one()
        self.lead_ids.lead_flow_skip(self.reason)
        return {"type": "ir.actions.act_window_close"}
