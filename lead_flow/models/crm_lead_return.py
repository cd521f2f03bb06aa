from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .lead_flow_return import RETURN_STATES

RETURN_WINDOW_KEY = "lead_flow.return_window_days"
RETURN_MAX_RATE_KEY = "lead_flow.return_max_rate"
RATE_DAYS = 30


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    lead_flow_return_ids = fields.One2many("lead.flow.return", "lead_id", string="Returns")
    lead_flow_last_return_id = fields.Many2one(
        "lead.flow.return", compute="_compute_lead_flow_last_return", string="Last return"
    )
    lead_flow_return_state = fields.Selection(
        RETURN_STATES, compute="_compute_lead_flow_last_return", string="Return status"
    )

    @api.depends("lead_flow_return_ids.state")
    def _compute_lead_flow_last_return(self):
        last = {}
        if self.ids:
            Return = self.env["lead.flow.return"]
            for ret in Return.search([("lead_id", "in", self.ids)], order="date desc, id desc"):
                last.setdefault(ret.lead_id.id, ret)
        for lead in self:
            lead.lead_flow_last_return_id = last.get(lead.id, False)
            lead.lead_flow_return_state = lead.lead_flow_last_return_id.state

    def _lead_flow_received_at(self):
        """When the lead reached its salesperson: assignment date, else creation."""
        self.ensure_one()
        return self.date_open or self.create_date

    def lead_flow_request_return(self, reason_id, note=False):
        """Hand this lead back with a reason; return the id of the pending return.

        Whoever may write the lead may ask, once at a time, within the return window after
        receiving it and under the maximum return rate (Settings). A manager or the
        requester's team leader decides (lead.flow.return.action_approve / action_deny).
        """
        self.ensure_one()
        self.check_access("write")
        reason = self.env["lead.flow.return.reason"].browse(int(reason_id or 0)).exists()
        if not reason:
            raise ValidationError(self.env._("Choose why you return the lead."))
        self._lead_flow_check_can_return()
        ret = (
            self.env["lead.flow.return"]
            .sudo()
            .create(
                {
                    "lead_id": self.id,
                    "user_id": self.env.uid,
                    "reason_id": reason.id,
                    "note": (note or "").strip() or False,
                    "team_id": self.team_id.id,
                    "company_id": self.company_id.id,
                }
            )
        )
        ret._lead_flow_log("return_requested")
        return ret.id

    def _lead_flow_check_can_return(self):
        """One pending return per lead, within the window, under the rate; in figures."""
        pending = (
            self.env["lead.flow.return"]
            .sudo()
            .search([("lead_id", "=", self.id), ("state", "=", "pending")], limit=1)
        )
        if pending:
            raise UserError(
                self.env._(
                    "%(lead)s already has a pending return, requested by %(user)s on "
                    "%(date)s: wait for the decision.",
                    lead=self.display_name,
                    user=pending.user_id.name,
                    date=fields.Datetime.to_string(pending.date),
                )
            )
        now = fields.Datetime.now()
        window = self._lead_flow_int_param(RETURN_WINDOW_KEY)
        received = self._lead_flow_received_at()
        if window and received and now - received > timedelta(days=window):
            raise UserError(
                self.env._(
                    "%(lead)s was received %(days)s days ago: leads can be returned within "
                    "%(window)s days.",
                    lead=self.display_name,
                    days=(now - received).days,
                    window=window,
                )
            )
        max_rate = self._lead_flow_int_param(RETURN_MAX_RATE_KEY)
        if max_rate:
            since = now - timedelta(days=RATE_DAYS)
            returns = (
                self.env["lead.flow.return"]
                .sudo()
                .search_count([("user_id", "=", self.env.uid), ("date", ">=", since)])
            )
            received_count = (
                self.sudo()
                .with_context(active_test=False)
                .search_count(
                    [
                        ("user_id", "=", self.env.uid),
                        "|",
                        ("date_open", ">=", since),
                        "&",
                        ("date_open", "=", False),
                        ("create_date", ">=", since),
                    ]
                )
            )
            rate = 100.0 * (returns + 1) / max(received_count, 1)
            if rate > max_rate:
                raise UserError(
                    self.env._(
                        "You returned %(returns)s of the %(received)s leads you received in the "
                        "last %(days)s days; one more would make %(rate).0f%%, over the maximum "
                        "return rate of %(max)s%%. Ask a manager.",
                        returns=returns,
                        received=received_count,
                        days=RATE_DAYS,
                        rate=rate,
                        max=max_rate,
                    )
                )

    def action_lead_flow_return(self):
        """Return lead button: the dialog that asks for the reason."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_flow.action_lead_flow_return_wizard"
        )
        action["context"] = {"default_lead_id": self.id}
        return action
