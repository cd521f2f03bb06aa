from odoo import api, fields, models
from odoo.exceptions import ValidationError


class LeadFlowLogActivityWizard(models.TransientModel):
    _name = "lead.flow.log.activity.wizard"
    _description = "Log one or several Lead Flow activities"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    allowed_type_ids = fields.Many2many("lead.flow.log.type", compute="_compute_allowed_type_ids")
    line_ids = fields.One2many("lead.flow.log.activity.line", "wizard_id", string="Activities")
    tagged_user_ids = fields.Many2many(
        "res.users",
        string="Notify",
        domain="[('share', '=', False)]",
        help="These users get an inbox notification with the details.",
    )

    @api.depends("lead_id", "lead_id.team_id")
    def _compute_allowed_type_ids(self):
        for wizard in self:
            wizard.allowed_type_ids = (
                wizard.lead_id._lead_flow_tile_types() if wizard.lead_id else False
            )

    def action_log(self):
        """Log every line as a manual entry; return the ids of the new entries."""
        self.ensure_one()
        if not self.line_ids:
            raise ValidationError(self.env._("Add at least one activity to log."))
        allowed = self.lead_id._lead_flow_tile_types()
        for line in self.line_ids:
            if line.type_id not in allowed:
                raise ValidationError(
                    self.env._("%s cannot be logged on this lead.", line.type_id.name)
                )
            if not (line.body or "").strip():
                raise ValidationError(
                    self.env._("Every activity needs a comment: write what happened.")
                )
        partner_ids = self.tagged_user_ids.partner_id.ids
        return [
            self.lead_id.lead_flow_log_note(
                line.body, type_id=line.type_id.id, partner_ids=partner_ids
            )
            for line in self.line_ids
        ]

    def action_log_and_close(self):
        self.action_log()
        return {"type": "ir.actions.act_window_close"}


class LeadFlowLogActivityLine(models.TransientModel):
    _name = "lead.flow.log.activity.line"
    _description = "Lead Flow activity to log"

    wizard_id = fields.Many2one("lead.flow.log.activity.wizard", required=True, ondelete="cascade")
    type_id = fields.Many2one("lead.flow.log.type", string="Activity", required=True)
    body = fields.Text("Comment", required=True)
