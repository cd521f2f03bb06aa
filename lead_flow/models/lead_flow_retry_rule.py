from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from .lead_flow_log import OUTCOMES


class LeadFlowRetryRule(models.Model):
    """When a lead that was called without a positive contact comes back to the queue,
    and after how many such calls it is given up (completed)."""

    _name = "lead.flow.retry.rule"
    _description = "Lead Flow retry rule"
    _order = "sequence, id"

    name = fields.Char(compute="_compute_name")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    outcome = fields.Selection(
        [(value, label) for value, label in OUTCOMES if value != "positive"],
        help="Applies to notes with this outcome, unless the note's predefined note has a "
        "rule of its own.",
    )
    template_id = fields.Many2one(
        "lead.flow.note.template",
        string="Predefined note",
        ondelete="cascade",
        help="Applies to notes logged with this predefined note, whatever their outcome.",
    )
    retry_hours = fields.Float(
        "Call again after (hours)",
        default=2.0,
        help="The lead stays out of the queue for this many hours after the note.",
    )
    max_attempts = fields.Integer(
        "Maximum attempts",
        help="Calls since the last positive contact after which the lead is completed. "
        "0 = no limit.",
    )

    @api.depends("outcome", "template_id.name")
    def _compute_name(self):
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        for rule in self:
            rule.name = rule.template_id.name or outcomes.get(rule.outcome) or ""

    @api.constrains("outcome", "template_id", "retry_hours", "max_attempts")
    def _check_rule(self):
        for rule in self:
            if bool(rule.outcome) == bool(rule.template_id):
                raise ValidationError(
                    self.env._(
                        "A retry rule applies either to an outcome or to a predefined note: "
                        "choose exactly one of them."
                    )
                )
            if rule.retry_hours < 0:
                raise ValidationError(
                    self.env._("The hours before calling again cannot be negative.")
                )
            if rule.max_attempts < 0:
                raise ValidationError(
                    self.env._("The maximum number of attempts cannot be negative (0 = no limit).")
                )

    @api.model
    def _lead_flow_rule_for(self, lead, template, outcome):
        """The rule that applies to a note on ``lead``: the predefined note's first, else
        the outcome's; the lead's company's rules and the shared ones only."""
        company = lead.company_id or self.env.company
        return self.sudo().browse(self._lead_flow_rule_id(company.id, template.id, outcome))

    @api.model
    @tools.ormcache("company_id", "template_id", "outcome")
    def _lead_flow_rule_id(self, company_id, template_id, outcome):
        # Looked up at every note, changed rarely: kept until a rule changes (its create,
        # write and unlink clear the cache). A predefined note deleted with its rules
        # cannot be used in a note again, so its cached look-ups are never asked for.
        Rule = self.sudo()
        base = [("company_id", "in", [False, company_id])]
        if template_id:
            rule = Rule.search([*base, ("template_id", "=", template_id)], limit=1)
            if rule:
                return rule.id
        return Rule.search([*base, ("outcome", "=", outcome)], limit=1).id

    def _lead_flow_retry_at(self, entry):
        """When the lead of the call ``entry`` comes back to the queue by this rule (none:
        False): the rule's hours after the call."""
        if not self.retry_hours:
            return False
        return entry.date + timedelta(hours=self.retry_hours)

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
