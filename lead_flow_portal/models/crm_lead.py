from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.lead_flow.models.crm_lead_return import RATE_DAYS, RETURN_MAX_RATE_KEY
from odoo.exceptions import UserError, ValidationError

NEW_LEAD_TEMPLATE = "lead_flow_portal.mail_template_lead_flow_new_lead"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    lead_flow_buyer_id = fields.Many2one(
        "res.partner",
        string="Buyer",
        domain=[("lead_flow_is_buyer", "=", True)],
        readonly=True,
        copy=False,
        tracking=True,
        help="The lead buyer this lead was delivered to (Deliver to buyer).",
    )
    lead_flow_buyer_user_id = fields.Many2one(
        "res.users",
        string="Buyer user",
        readonly=True,
        copy=False,
        tracking=True,
        help="The user of the buyer who works this lead.",
    )
    lead_flow_delivered_at = fields.Datetime(
        "Delivered on", readonly=True, copy=False, help="When the lead reached its buyer."
    )

    def init(self):
        res = super().init()
        # The portal list and dashboard of a buyer: its leads newest first, and a date
        # range on the delivery date, straight from these (bench/bench_portal.py).
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS crm_lead_lead_flow_buyer_delivered_idx"
            " ON crm_lead (lead_flow_buyer_id, lead_flow_delivered_at DESC, id DESC)"
            " WHERE lead_flow_buyer_id IS NOT NULL"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS crm_lead_lead_flow_buyer_user_delivered_idx"
            " ON crm_lead (lead_flow_buyer_user_id, lead_flow_delivered_at DESC, id DESC)"
            " WHERE lead_flow_buyer_user_id IS NOT NULL"
        )
        return res

    @api.constrains("lead_flow_buyer_id", "lead_flow_buyer_user_id")
    def _check_lead_flow_buyer_user(self):
        for lead in self.filtered("lead_flow_buyer_user_id"):
            if lead.lead_flow_buyer_user_id.sudo().commercial_partner_id != lead.lead_flow_buyer_id:
                raise ValidationError(
                    self.env._(
                        "%(user)s is not a user of the buyer of %(lead)s.",
                        user=lead.lead_flow_buyer_user_id.name,
                        lead=lead.display_name,
                    )
                )

    def lead_flow_deliver(self, buyer_id, user_id=False):
        """Deliver these leads to the lead buyer ``buyer_id`` and, optionally, to its user
        ``user_id``; e-mail the buyer's users who asked for it and see the lead. True."""
        self.check_access("write")
        Partner = self.env["res.partner"].sudo()
        buyer = Partner.browse(int(buyer_id or 0)).exists() if buyer_id else Partner
        if not buyer or not buyer.lead_flow_is_buyer:
            raise ValidationError(self.env._("Choose a lead buyer to deliver to."))
        user = self.env["res.users"]
        if user_id:
            user = self._lead_flow_buyer_user(buyer, user_id)
        self.write(
            {
                "lead_flow_buyer_id": buyer.id,
                "lead_flow_buyer_user_id": user.id,
                "lead_flow_delivered_at": fields.Datetime.now(),
            }
        )
        self._lead_flow_notify_buyer_users()
        return True

    @api.model
    def _lead_flow_buyer_user(self, buyer, user_id):
        """The enabled user ``user_id`` of ``buyer``, else ValidationError."""
        try:
            user_id = int(user_id or 0)
        except (TypeError, ValueError):
            user_id = 0
        user = self.env["res.users"].sudo().with_context(active_test=False).browse(user_id)
        if not (user_id and user.exists() and user.share and user.commercial_partner_id == buyer):
            raise ValidationError(self.env._("Choose a user of %s.", buyer.name))
        if not user.active:
            raise ValidationError(self.env._("%s is disabled: choose an enabled user.", user.name))
        return user

    def _lead_flow_buyer_readers(self):
        """The enabled users of this lead's buyer who read it: its admins, its user and the
        users above that one with View downline."""
        self.ensure_one()
        users = self.env["res.users"]._lead_flow_buyer_users(self.lead_flow_buyer_id)
        users = users.filtered("active")
        assignee = self.lead_flow_buyer_user_id
        return users.filtered(
            lambda user: (
                user.lead_flow_buyer_admin
                or user == assignee
                or (assignee and assignee in user.lead_flow_downline_user_ids)
            )
        )

    def _lead_flow_notify_buyer_users(self):
        """E-mail a new lead to the buyer users with New lead notification who read it."""
        template = self.env.ref(NEW_LEAD_TEMPLATE, raise_if_not_found=False)
        if not template:
            return
        for lead in self.sudo():
            readers = lead._lead_flow_buyer_readers().filtered("lead_flow_new_lead_notify")
            for lang, users in readers.grouped("lang").items():
                template.with_context(lang=lang).send_mail(
                    lead.id,
                    email_values={"recipient_ids": [(6, 0, users.partner_id.ids)]},
                    email_layout_xmlid="mail.mail_notification_light",
                )

    # ------------------------------------------------------------------
    # Returns and appointments by buyers reuse Lead Flow's (crm_lead_return.py,
    # crm_lead_appointment.py) with the buyer's figures.
    # ------------------------------------------------------------------
    def _lead_flow_received_at(self):
        if self.env.context.get("lead_flow_portal_buyer_id") and self.lead_flow_delivered_at:
            return self.lead_flow_delivered_at
        return super()._lead_flow_received_at()

    def _lead_flow_int_param(self, key):
        if key == RETURN_MAX_RATE_KEY and self.env.context.get("lead_flow_portal_buyer_id"):
            # A buyer's return rate is the buyer's, not its user's (_lead_flow_check_buyer_rate).
            return 0
        return super()._lead_flow_int_param(key)

    def _lead_flow_check_buyer_rate(self, buyer):
        """The maximum return rate (Settings) applied to the buyer: its returns of the last
        RATE_DAYS days, this one included, against the leads delivered to it then."""
        max_rate = self.with_context(lead_flow_portal_buyer_id=False)._lead_flow_int_param(
            RETURN_MAX_RATE_KEY
        )
        if not max_rate:
            return
        since = fields.Datetime.now() - timedelta(days=RATE_DAYS)
        returns = (
            self.env["lead.flow.return"]
            .sudo()
            .search_count([("lead_id.lead_flow_buyer_id", "=", buyer.id), ("date", ">=", since)])
        )
        received = (
            self.sudo()
            .with_context(active_test=False)
            .search_count(
                [("lead_flow_buyer_id", "=", buyer.id), ("lead_flow_delivered_at", ">=", since)]
            )
        )
        rate = 100.0 * (returns + 1) / max(received, 1)
        if rate > max_rate:
            raise UserError(
                self.env._(
                    "%(buyer)s returned %(returns)s of the %(received)s leads received in the "
                    "last %(days)s days; one more would be over the maximum return rate of "
                    "%(max)s%%.",
                    buyer=buyer.name,
                    returns=returns,
                    received=received,
                    days=RATE_DAYS,
                    max=max_rate,
                )
            )

    @api.model
    def _lead_flow_appointment_user(self, user_id):
        buyer_id = self.env.context.get("lead_flow_portal_buyer_id")
        if buyer_id:
            # Buyers book appointments for their own users, who are portal users.
            buyer = self.env["res.partner"].sudo().browse(buyer_id)
            return self._lead_flow_buyer_user(buyer, user_id)
        return super()._lead_flow_appointment_user(user_id)
