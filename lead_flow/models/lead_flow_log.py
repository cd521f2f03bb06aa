from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.sql import create_index

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
    _lead_flow_lead_field = "lead_id"  # visible to whoever reads the lead (ir_rule.py)

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(
        "res.users", string="Performed by", default=lambda self: self.env.user, index=True
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    type_id = fields.Many2one(
        "lead.flow.log.type", string="Activity type", required=True, ondelete="restrict"
    )
    # Precomputed: written by the INSERT of the entry, not by an UPDATE right after it
    # (which would also rewrite the report's daily totals a second time).
    type_category = fields.Selection(
        related="type_id.category", store=True, precompute=True, string="Kind"
    )
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
    takes_reservation = fields.Boolean(
        "Took the reservation",
        readonly=True,
        copy=False,
        help="This note reserved the lead for its author (it was free): undoing it frees "
        "the lead again.",
    )
    message_id = fields.Many2one("mail.message", string="Chatter message", ondelete="set null")
    undone = fields.Boolean(readonly=True, copy=False)
    undone_by_id = fields.Many2one("res.users", string="Undone by", readonly=True, copy=False)
    undone_at = fields.Datetime("Undone on", readonly=True, copy=False)
    # Frozen at logging time so that reports keep the team the work was done for.
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    # The lead's company, kept in step by a crm_lead trigger (lead_company.py).
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    _lead_flow_lead_company_field = "company_id"
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

    def init(self):
        res = super().init()
        # An operator's calls of the day (the console's and the dashboard's counter, asked
        # at every Log & next): one range of one index instead of ANDing two.
        create_index(
            self.env.cr,
            "lead_flow_log_user_manual_date_idx",
            self._table,
            ["user_id", "date"],
            where="origin = 'manual'",
        )
        return res

    @api.constrains("body", "origin")
    def _check_manual_body(self):
        for entry in self:
            if entry.origin == "manual" and not (entry.body or "").strip():
                raise ValidationError(
                    self.env._("A manual entry needs a comment: write what happened.")
                )

    # Who did what to which lead, and when, is history: entries are written only by the
    # checked paths (crm.lead.lead_flow_log_note, the automatic history, undo, the AI
    # job), which check the caller's rights on the lead and then write as superuser.
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "History entries are recorded by Log note, the Log activity dialog and "
                    "the system: they cannot be created directly."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "The history keeps who did what, on which lead and when: entries cannot "
                    "be changed. Undo the entry and log a new one instead."
                )
            )
        return super().write(vals)
