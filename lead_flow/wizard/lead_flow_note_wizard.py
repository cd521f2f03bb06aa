from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..models.lead_flow_log import OUTCOMES


class LeadFlowNoteWizard(models.TransientModel):
    _name = "lead.flow.note.wizard"
    _description = "Log a Lead Flow note"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    type_id = fields.Many2one(
        "lead.flow.log.type",
        string="Activity",
        required=True,
        domain=[("automatic", "=", False)],  # automatic kinds are the system's to record
        default=lambda self: self.env.ref("lead_flow.log_type_call", raise_if_not_found=False),
    )
    template_id = fields.Many2one(
        "lead.flow.note.template",
        string="Predefined note",
        domain="[('company_id', 'in', [False, company_id])]",
    )
    company_id = fields.Many2one(related="lead_id.company_id")
    body = fields.Text("Note", required=True)
    outcome = fields.Selection(OUTCOMES)
    close_lead = fields.Boolean("Complete the lead")
    template_tag_ids = fields.Many2many(related="template_id.tag_ids", string="Tags to add")
    callback_at = fields.Datetime("Call back on")
    callback_personal = fields.Boolean(
        "Call back myself", default=True, help="Off: any operator may take the callback."
    )
    do_not_call = fields.Boolean(
        help="Block every number of this contact on the phone blacklist: no queue and no "
        "SMS campaign calls it again."
    )
    do_not_call_reason = fields.Char("Reason")

    @api.onchange("template_id")
    def _onchange_template_id(self):
        """Picking a predefined note fills the text and proposes its outcome."""
        if self.template_id:
            self.body = self.template_id.body or self.template_id.name
            self.outcome = self.template_id.outcome or self.outcome
            self.close_lead = self.template_id.closes_lead
            if self.template_id.callback_delay_hours:
                delay = timedelta(hours=self.template_id.callback_delay_hours)
                self.callback_at = fields.Datetime.now() + delay

    def action_log(self):
        self.ensure_one()
        if self.do_not_call and not (self.do_not_call_reason or "").strip():
            raise ValidationError(self.env._("Say why this contact must not be called."))
        self.lead_id.lead_flow_log_note(
            self.body,
            template_id=self.template_id.id,
            outcome=self.outcome,
            close=self.close_lead,
            type_id=self.type_id.id,
        )
        if self.callback_at and not self.close_lead:
            self.lead_id.lead_flow_schedule_callback(self.callback_at, self.callback_personal)
        if self.do_not_call:
            self.lead_id.lead_flow_do_not_call(self.do_not_call_reason)
        return {"type": "ir.actions.act_window_close"}
