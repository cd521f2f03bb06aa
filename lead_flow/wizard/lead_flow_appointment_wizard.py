from datetime import timedelta

from odoo import api, fields, models


def _next_hour():
    """The next full hour (UTC): a sensible default start for a new appointment."""
    now = fields.Datetime.now()
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


class LeadFlowAppointmentWizard(models.TransientModel):
    """*New appointment* on a lead: a small form over crm.lead.lead_flow_create_appointment,
    which does every check (the wizard adds none of its own)."""

    _name = "lead.flow.appointment.wizard"
    _description = "Lead Flow: new appointment"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    user_id = fields.Many2one(
        "res.users",
        string="With",
        required=True,
        domain=[("share", "=", False)],
        default=lambda self: self.env.user,
        help="The internal user the appointment is for: they organise it and receive "
        "the invitation.",
    )
    start = fields.Datetime(required=True, default=lambda self: _next_hour())
    stop = fields.Datetime(
        "End", required=True, default=lambda self: _next_hour() + timedelta(hours=1)
    )
    name = fields.Char("Title", required=True)
    description = fields.Text()

    @api.onchange("lead_id")
    def _onchange_lead_id(self):
        # The salesperson of the lead is the usual person to meet the customer.
        if self.lead_id.user_id and not self.lead_id.user_id.share:
            self.user_id = self.lead_id.user_id
        if not self.name and self.lead_id:
            self.name = self.lead_id.name

    @api.onchange("start")
    def _onchange_start(self):
        # Keep the duration when the start moves (one hour by default).
        if self.start and (not self.stop or self.stop <= self.start):
            self.stop = self.start + timedelta(hours=1)

    def action_create(self):
        self.ensure_one()
        self.lead_id.lead_flow_create_appointment(
            self.user_id.id, self.start, self.stop, self.name, self.description or False
        )
        # Back to the lead, whose Meetings button now counts the appointment.
        return {"type": "ir.actions.act_window_close"}
