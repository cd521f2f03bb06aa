from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .lead_flow_log import OUTCOMES


class LeadFlowNoteTemplate(models.Model):
    _name = "lead.flow.note.template"
    _description = "Lead Flow predefined note"
    _order = "sequence, id"

    name = fields.Char("Title", required=True, translate=True)
    body = fields.Text("Text", translate=True)
    tag_ids = fields.Many2many(
        "crm.tag",
        string="Tags",
        help="Added to the lead as soon as the note is logged.",
    )
    outcome = fields.Selection(OUTCOMES, help="Outcome proposed when this note is picked.")
    closes_lead = fields.Boolean(help="Logging this note completes the lead.")
    callback_delay_hours = fields.Float(
        "Call back after (hours)",
        help="Picking this note proposes a callback that many hours later (0: none).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)

    def _lead_flow_check_usable(self, lead):
        """Refuse a predefined note that cannot be used on ``lead``, in the user's words."""
        self.ensure_one()
        if not self.active:
            raise ValidationError(
                self.env._(
                    'The predefined note "%s" is archived and can no longer be used.', self.name
                )
            )
        lead_company = lead.company_id or self.env.company
        if self.company_id and self.company_id != lead_company:
            raise ValidationError(
                self.env._(
                    'The predefined note "%(note)s" belongs to %(company)s and cannot be '
                    "used on a lead of %(lead_company)s.",
                    note=self.name,
                    company=self.company_id.name,
                    lead_company=lead_company.name,
                )
            )
        archived = self.with_context(active_test=False).tag_ids.filtered(lambda t: not t.active)
        if archived:
            raise ValidationError(
                self.env._(
                    'The predefined note "%(note)s" uses archived tags: %(tags)s. '
                    "Ask a manager to update the note.",
                    note=self.name,
                    tags=", ".join(archived.mapped("name")),
                )
            )

    @api.constrains("body", "tag_ids")
    def _check_body_or_tags(self):
        for template in self:
            if not (template.body or "").strip() and not template.tag_ids:
                raise ValidationError(
                    self.env._(
                        'The predefined note "%s" needs a text or at least one tag.', template.name
                    )
                )
