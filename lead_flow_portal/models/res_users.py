from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize

# What a buyer admin may change on a user of their buyer from the portal (/my/users).
BUYER_USER_FIELDS = (
    "lead_flow_buyer_admin",
    "lead_flow_view_downline",
    "lead_flow_new_lead_notify",
    "lead_flow_buyer_parent_id",
    "active",
)
# Fields the buyers' lead rule reads: record rules are cached per user.
RULE_FIELDS = ("lead_flow_buyer_admin", "lead_flow_buyer_parent_id")


class ResUsers(models.Model):
    _inherit = "res.users"

    lead_flow_buyer_admin = fields.Boolean(
        "Admin access",
        help="Lead buyer users: sees all the buyer's leads, adds and disables the buyer's "
        "users and assigns leads to them in the portal.",
    )
    lead_flow_buyer_parent_id = fields.Many2one(
        "res.users",
        string="Reports to",
        ondelete="set null",
        index="btree_not_null",
        help="Lead buyer users: the user of the same buyer above this one. With View "
        "downline, a user sees the leads of the users below them.",
    )
    lead_flow_new_lead_notify = fields.Boolean(
        "New lead notification",
        help="Lead buyer users: e-mailed when a lead they can see is delivered.",
    )

    @property
    def SELF_WRITEABLE_FIELDS(self):
        # A buyer user switches their own notification on and off from the portal.
        return super().SELF_WRITEABLE_FIELDS + ["lead_flow_new_lead_notify"]

    def _lead_flow_buyer(self):
        """The lead buyer this (enabled portal) user works for, else an empty partner."""
        self.ensure_one()
        buyer = self.sudo().commercial_partner_id
        if self.share and self.active and buyer.lead_flow_is_buyer:
            return buyer
        return self.env["res.partner"]

    @api.constrains("lead_flow_buyer_parent_id")
    def _check_lead_flow_buyer_parent(self):
        for user in self.filtered("lead_flow_buyer_parent_id"):
            parent = user.lead_flow_buyer_parent_id
            if parent.commercial_partner_id != user.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "%(user)s can only report to a user of the same buyer, not %(parent)s.",
                        user=user.name,
                        parent=parent.name,
                    )
                )
        if self._has_cycle("lead_flow_buyer_parent_id"):
            raise ValidationError(self.env._("A user cannot report to their own downline."))

    def _compute_lead_flow_downline_user_ids(self):
        """Buyer users with View downline also see the users who report to them, and down
        the chain (disabled users too: their leads stay with the upline)."""
        res = super()._compute_lead_flow_downline_user_ids()
        Users = self.sudo().with_context(active_test=False)
        for user in self:
            if not (user.lead_flow_view_downline and user.share):
                continue
            downline, level = set(), {user.id}
            while level:  # one query per level of the chain
                children = Users.search([("lead_flow_buyer_parent_id", "in", list(level))])
                level = set(children.ids) - downline - {user.id}
                downline |= level
            user.lead_flow_downline_user_ids |= self.browse(sorted(downline))
        return res

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        if any(vals.get(name) for vals in vals_list for name in RULE_FIELDS):
            self._lead_flow_downline_reset()
        return users

    def write(self, vals):
        res = super().write(vals)
        if any(name in vals for name in RULE_FIELDS):
            self._lead_flow_downline_reset()
        return res

    # ------------------------------------------------------------------
    # Buyer admins manage their buyer's users from the portal (/my/users)
    # ------------------------------------------------------------------
    @api.model
    def _lead_flow_buyer_admin_check(self):
        """The caller's buyer when the caller is an enabled admin of it, else AccessError."""
        buyer = self.env.user._lead_flow_buyer()
        if not (buyer and self.env.user.lead_flow_buyer_admin):
            raise AccessError(self.env._("Only a buyer's admin manages its users."))
        return buyer

    def _lead_flow_buyer_users(self, buyer):
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("commercial_partner_id", "=", buyer.id), ("share", "=", True)], order="name")
        )

    def _lead_flow_buyer_clean_vals(self, vals, buyer):
        """``vals`` cut to BUYER_USER_FIELDS, booleans as booleans, and the reports-to user
        checked to be one of the buyer's."""
        clean = {name: vals[name] for name in BUYER_USER_FIELDS if name in vals}
        for name in clean:
            if name != "lead_flow_buyer_parent_id":
                clean[name] = bool(clean[name])
        if "lead_flow_buyer_parent_id" in clean:
            try:
                parent_id = int(clean["lead_flow_buyer_parent_id"] or 0)
            except (TypeError, ValueError):
                parent_id = 0
            if parent_id and parent_id not in self._lead_flow_buyer_users(buyer).ids:
                raise AccessError(self.env._("Choose a user of your company."))
            clean["lead_flow_buyer_parent_id"] = parent_id or False
        return clean

    @api.model
    def lead_flow_buyer_create_user(self, name, email, vals=None):
        """A buyer admin adds a user to their buyer: a contact of the buyer and a portal
        user invited by Odoo's portal invitation (the password link); return its id."""
        buyer = self._lead_flow_buyer_admin_check()
        name = (name or "").strip()
        email = email_normalize(email or "")
        if not name or not email:
            raise UserError(self.env._("Give the new user a name and a valid e-mail."))
        clean = self._lead_flow_buyer_clean_vals(dict(vals or {}), buyer)
        clean.pop("active", None)
        partner = (
            self.env["res.partner"]
            .sudo()
            .create({"name": name, "email": email, "parent_id": buyer.id, "type": "contact"})
        )
        wizard = self.env["portal.wizard"].sudo().create({"partner_ids": [partner.id]})
        wizard.user_ids.action_grant_access()
        user = partner.with_context(active_test=False).user_ids[:1].sudo()
        if clean:
            user.write(clean)
        return user.id

    def lead_flow_buyer_update_user(self, vals):
        """A buyer admin changes the flags, the reports-to user or Enabled of their
        buyer's users. Only BUYER_USER_FIELDS are written."""
        buyer = self._lead_flow_buyer_admin_check()
        users = self.sudo().with_context(active_test=False)
        if users - self._lead_flow_buyer_users(buyer):
            raise AccessError(self.env._("You can only change the users of your company."))
        clean = self._lead_flow_buyer_clean_vals(vals, buyer)
        if self.env.user in users and (
            clean.get("active") is False or clean.get("lead_flow_buyer_admin") is False
        ):
            raise UserError(
                self.env._("You cannot disable yourself or drop your own admin access.")
            )
        if clean:
            users.write(clean)
        return True
