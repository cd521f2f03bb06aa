from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

OUTCOMES = [
    ("positive", "Positive"),
    ("negative", "Negative"),
    ("partial", "Partial"),
    ("unclassified", "Unclassified"),
]


class LeadFlowLog(models.Model):
    _name = "lead.flow.log"
    _description = "Lead Flow log entry"
    _order = "date desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(
        "res.users", string="Performed by", default=lambda self: self.env.user, index=True
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    type_id = fields.Many2one(
        "lead.flow.log.type", string="Activity type", required=True, ondelete="restrict"
    )
    type_category = fields.Selection(related="type_id.category", store=True, string="Kind")
    body = fields.Text("Comment")
    origin = fields.Selection(
        [("manual", "Manual"), ("automatic", "Automatic")], required=True, default="manual"
    )
    outcome = fields.Selection(OUTCOMES, default="unclassified", required=True)
    outcome_source = fields.Selection(
        [("manual", "Operator"), ("ai", "AI")],
        help="Who set the outcome. The AI never overwrites an operator's outcome.",
    )
    template_id = fields.Many2one(
        "lead.flow.note.template", string="Predefined note", ondelete="set null"
    )
    closes_lead = fields.Boolean(help="This entry completed the lead.")
    message_id = fields.Many2one("mail.message", string="Chatter message", ondelete="set null")
    undone = fields.Boolean(readonly=True, copy=False)
    undone_by_id = fields.Many2one("res.users", string="Undone by", readonly=True, copy=False)
    undone_at = fields.Datetime("Undone on", readonly=True, copy=False)
    # Frozen at logging time so that reports keep the team/company the work was done for.
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    company_id = fields.Many2one("res.company", index=True)
    # AI classification state (see lead_flow_log_ai.py).
    ai_attempts = fields.Integer(
        "AI attempts", readonly=True, copy=False, help="Requests made to classify this note."
    )
    ai_error = fields.Char("AI error", readonly=True, copy=False)
    ai_classified_at = fields.Datetime("AI classified on", readonly=True, copy=False)
    ai_lease_until = fields.Datetime(
        "AI claimed until",
        readonly=True,
        copy=False,
        help="A classification run is working on this note until then.",
    )

    @api.constrains("body", "origin")
    def _check_manual_body(self):
        for entry in self:
            if entry.origin == "manual" and not (entry.body or "").strip():
                raise ValidationError(
                    self.env._("A manual entry needs a comment: write what happened.")
                )

    # Who did what to which lead, and when, is history: only the system changes it (undo
    # goes through action_undo, which records who undid the entry).
    _lead_flow_history_fields = (
        "lead_id",
        "user_id",
        "date",
        "origin",
        "message_id",
        "undone",
        "undone_by_id",
        "undone_at",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            vals_list = [dict(vals) for vals in vals_list]  # the caller's dicts stay theirs
            for vals in vals_list:
                self._lead_flow_check_new_entry(vals)
        return super().create(vals_list)

    @api.model
    def _lead_flow_check_new_entry(self, vals):
        """A user logs a manual entry in their own name, now, on the lead its chatter
        message belongs to; automatic and undone entries are the system's."""
        vals.setdefault("user_id", self.env.uid)
        now = fields.Datetime.now()
        vals.setdefault("date", now)
        forged = []
        if vals["user_id"] != self.env.uid:
            forged.append("user_id")
        if abs(fields.Datetime.to_datetime(vals["date"]) - now) > timedelta(minutes=5):
            forged.append("date")
        if vals.get("origin", "manual") != "manual":
            forged.append("origin")
        forged += [name for name in ("undone", "undone_by_id", "undone_at") if vals.get(name)]
        if vals.get("message_id"):
            message = self.env["mail.message"].sudo().browse(vals["message_id"])
            if (message.model, message.res_id) != ("crm.lead", vals.get("lead_id")):
                forged.append("message_id")
        if forged:
            raise UserError(
                self.env._(
                    "Entries are logged in your name, now, on their own lead: %(fields)s "
                    "cannot be set.",
                    fields=", ".join(self._fields[name].string for name in forged),
                )
            )

    def write(self, vals):
        frozen = [name for name in self._lead_flow_history_fields if name in vals]
        if frozen and not self.env.su:
            raise UserError(
                self.env._(
                    "The history keeps who did what, on which lead and when: %(fields)s "
                    "cannot be changed. Undo the entry and log a new one instead.",
                    fields=", ".join(self._fields[name].string for name in frozen),
                )
            )
        return super().write(vals)
