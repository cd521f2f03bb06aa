from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from . import lead_company
from .crm_lead import MANAGER_GROUP, TEAM_LEADER_GROUP

RETURN_STATES = [("pending", "Pending"), ("approved", "Approved"), ("denied", "Denied")]


class LeadFlowReturnReason(models.Model):
    _name = "lead.flow.return.reason"
    _description = "Lead Flow return reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    lost_reason_id = fields.Many2one(
        "crm.lost.reason",
        string="Lost reason",
        required=True,
        ondelete="restrict",
        help="An approved return marks the lead lost with this reason.",
    )


class LeadFlowReturn(models.Model):
    """A lead handed back by whoever received it, waiting for a manager's decision."""

    _name = "lead.flow.return"
    _description = "Lead Flow return"
    _order = "date desc, id desc"
    _rec_name = "lead_id"
    _lead_flow_lead_field = "lead_id"  # visible to whoever reads the lead (ir_rule.py)

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one("res.users", string="Requested by", required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    reason_id = fields.Many2one("lead.flow.return.reason", required=True, ondelete="restrict")
    note = fields.Text()
    state = fields.Selection(
        RETURN_STATES, string="Status", required=True, default="pending", index=True
    )
    decided_by_id = fields.Many2one("res.users", string="Decided by")
    decided_at = fields.Datetime("Decision date")
    decision_note = fields.Text()
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    # The lead's company, kept in step by a crm_lead trigger (lead_company.py): users who
    # see every lead of their companies are filtered on it, not joined to crm_lead.
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    _lead_flow_lead_company_field = "company_id"

    def init(self):
        # The Returns list: newest first, the first page straight from the index.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS lead_flow_return_date_id_idx"
            " ON lead_flow_return (date DESC, id DESC)"
        )
        lead_company.install(self.env.cr)  # both tables exist now

    _sql_constraints = [
        # At most one pending return per lead, also against two concurrent requests.
        (
            "one_pending_per_lead",
            "EXCLUDE (lead_id WITH =) WHERE (state = 'pending')",
            "This lead already has a pending return.",
        ),
    ]

    # Returns are requested through crm.lead.lead_flow_request_return and decided through
    # action_approve / action_deny, which check who may; nothing else writes them.
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._("Returns are requested with Return lead, not created directly.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                self.env._("Returns are decided with Approve or Deny, not edited directly.")
            )
        return super().write(vals)

    def _lead_flow_check_decider(self):
        """Lead Flow managers decide any return; a team leader those of the members of the
        teams they lead and of the leads of those teams."""
        Lead = self.env["crm.lead"]
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        is_leader = self.env.user.has_group(TEAM_LEADER_GROUP)
        for ret in self:
            requester_teams = ret.sudo().user_id.crm_team_ids
            if not (
                is_leader and self.env.user in requester_teams.user_id
            ) and not Lead._lead_flow_user_manages_team(ret.sudo().lead_id.team_id):
                raise AccessError(
                    self.env._(
                        "Only a Lead Flow manager or %(user)s's team leader can decide the "
                        "return of %(lead)s.",
                        user=ret.sudo().user_id.name,
                        lead=ret.sudo().lead_id.display_name,
                    )
                )

    def _lead_flow_state_label(self):
        """The status as a word in a sentence, in the user's language ("approved")."""
        self.ensure_one()
        labels = dict(self._fields["state"]._description_selection(self.env))
        return labels[self.state].lower()

    def _lead_flow_check_pending(self):
        for ret in self:
            if ret.state != "pending":
                raise UserError(
                    self.env._(
                        "The return of %(lead)s was already %(state)s by %(user)s on %(date)s.",
                        lead=ret.lead_id.display_name,
                        state=ret._lead_flow_state_label(),
                        user=ret.decided_by_id.name,
                        date=fields.Datetime.to_string(ret.decided_at),
                    )
                )

    def _lead_flow_decide(self, state, note):
        self._lead_flow_check_decider()
        self._lead_flow_check_pending()
        self.sudo().write(
            {
                "state": state,
                "decided_by_id": self.env.uid,
                "decided_at": fields.Datetime.now(),
                "decision_note": (note or "").strip() or False,
            }
        )

    def action_approve(self, note=False):
        """Approve: the lead is freed and marked lost with the return reason."""
        self._lead_flow_decide("approved", note)
        for ret in self.sudo():
            lead = ret.lead_id.with_context(active_test=False)
            if lead.lead_flow_reserved_user_id:
                lead.write({"lead_flow_reserved_user_id": False, "lead_flow_reserved_at": False})
            if lead.active:
                lead.action_set_lost(lost_reason_id=ret.reason_id.lost_reason_id.id)
            else:
                lead.lost_reason_id = ret.reason_id.lost_reason_id
        self._lead_flow_log("return_approved")
        return True

    def action_deny(self, note=False):
        """Deny: the lead stays with the requester, who is told in their inbox."""
        self._lead_flow_decide("denied", note)
        for ret in self.sudo():
            ret.lead_id.message_notify(
                partner_ids=ret.user_id.partner_id.ids,
                subject=self.env._("Return denied: %s", ret.lead_id.display_name),
                body=Markup("<p>%s</p>")
                % self.env._(
                    "%(user)s denied your return of %(lead)s (%(reason)s). %(note)s",
                    user=self.env.user.name,
                    lead=ret.lead_id.display_name,
                    reason=ret.reason_id.name,
                    note=ret.decision_note or "",
                ),
                author_id=self.env.user.partner_id.id,
            )
        self._lead_flow_log("return_denied")
        return True

    def _lead_flow_log(self, code):
        """One automatic history entry per return step, on its lead."""
        entries = []
        for ret in self.sudo():
            body = ret._lead_flow_step_text(code)
            entries.append((ret.lead_id, code, body, None, False))
        self.env["lead.flow.log"]._lead_flow_create_automatic(entries)

    def _lead_flow_step_text(self, code):
        self.ensure_one()
        if code == "return_requested":
            text = self.env._(
                "Return requested by %(user)s: %(reason)s",
                user=self.user_id.name,
                reason=self.reason_id.name,
            )
            detail = self.note
        else:
            text = self.env._(
                "Return %(state)s by %(user)s: %(reason)s",
                state=self._lead_flow_state_label(),
                user=self.decided_by_id.name,
                reason=self.reason_id.name,
            )
            detail = self.decision_note
        return f"{text}. {detail}" if detail else text
