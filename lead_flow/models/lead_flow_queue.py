from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import safe_eval

from .queue_index import ORDERS

QUEUE_ORDERS = [
    ("standard", "Longest without contact first"),
    ("newest", "Newest leads first"),
]
assert {key for key, _label in QUEUE_ORDERS} == set(ORDERS)


class LeadFlowQueue(models.Model):
    """A queue of leads worked by some operators: Next lead offers its leads in its order,
    within its calling hours; an operator in several queues works them in sequence, the
    next one when the previous is empty."""

    _name = "lead.flow.queue"
    _inherit = ["lead.flow.calling.hours.mixin"]
    _description = "Lead Flow queue"
    _order = "sequence, id"
    _lead_flow_calling_hours_field = "calling_hours"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Operators in several queues work them in order.")
    active = fields.Boolean(default=True)
    domain = fields.Char(
        "Leads",
        default="[]",
        required=True,
        help="Which leads this queue offers, besides the queue scope of Settings.",
    )
    user_ids = fields.Many2many(
        "res.users",
        "lead_flow_queue_res_users_rel",
        "queue_id",
        "user_id",
        string="Operators",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("lead_flow.group_lead_flow_operator").ids)
        ],
        help="With the members of the teams below: who works this queue. Nobody listed: "
        "every operator.",
    )
    team_ids = fields.Many2many(
        "crm.team",
        "lead_flow_queue_crm_team_rel",
        "queue_id",
        "team_id",
        string="Sales teams",
        help="Their members and leaders work this queue.",
    )
    order = fields.Selection(QUEUE_ORDERS, default="standard", required=True)
    calling_hours = fields.Char(
        help="The weekly calling window of this queue (empty: the one of Settings)."
    )
    lead_flow_restrict_hours = fields.Boolean(
        "Own calling hours", help="Off: the calling hours of Settings apply."
    )

    is_current = fields.Boolean(
        "Working it",
        compute="_compute_is_current",
        help="The queue I chose to work; with none chosen, I work all mine in sequence.",
    )

    def _compute_is_current(self):
        for queue in self:
            queue.is_current = queue == self.env.user.lead_flow_queue_id

    @api.constrains("domain")
    def _check_domain(self):
        for queue in self:
            if self._lead_flow_parse_domain(queue.domain) is None:
                raise ValidationError(
                    self.env._(
                        'The filter of queue "%(queue)s" is not a valid filter on leads.',
                        queue=queue.name,
                    )
                )

    @api.model
    def _lead_flow_parse_domain(self, raw):
        """``raw`` as a domain on leads, or None when it is not one (unknown field, bad
        operator, not a list)."""
        try:
            domain = safe_eval(raw or "[]", {"uid": self.env.uid})
            if not isinstance(domain, list):
                return None
            self.env["crm.lead"].sudo()._search(domain)
        except Exception:  # whatever is wrong, it is not a filter on leads
            return None
        return domain

    # The claim plan keeps each user's queues (see crm_lead_queue): any change of a queue
    # changes what Next lead offers.
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    @api.model
    @tools.ormcache("uid")
    def _lead_flow_user_queue_ids(self, uid):
        """The queue ``uid`` chose to work (or False) and the active queues they work, in
        sequence: those listing nobody, or them, or one of their teams (member or leader)."""
        user = self.env["res.users"].sudo().browse(uid)
        teams = (
            self.env["crm.team"]
            .sudo()
            .search(["|", ("member_ids", "in", [uid]), ("user_id", "=", uid)])
        )
        queues = self.sudo().search(
            [
                "|",
                "|",
                "&",
                ("user_ids", "=", False),
                ("team_ids", "=", False),
                ("user_ids", "in", user.ids),
                ("team_ids", "in", teams.ids),
            ]
        )
        return user.lead_flow_queue_id.id, tuple(queues.ids)

    def action_lead_flow_work(self):
        """Work this queue only (Next lead and the queue list)."""
        self.ensure_one()
        self.env["crm.lead"]._lead_flow_check_operator(claiming=True)
        if self.id not in self._lead_flow_user_queue_ids(self.env.uid)[1]:
            raise UserError(self.env._("You do not work the queue %s.", self.name))
        self.env.user._lead_flow_set_queue(self)
        return self.env["ir.actions.act_window"]._for_xml_id("lead_flow.action_lead_flow_queue")

    @api.model
    def action_lead_flow_work_all(self):
        """Work all my queues again, in sequence."""
        self.env.user._lead_flow_set_queue(self.browse())
        return self.env["ir.actions.act_window"]._for_xml_id("lead_flow.action_lead_flow_queue")
