from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    lead_flow_is_buyer = fields.Boolean(
        "Lead buyer",
        help="This company receives leads (Deliver to buyer) and its portal users work "
        "them in the portal under My Leads.",
    )
    lead_flow_buyer_user_ids = fields.One2many(
        "res.users",
        compute="_compute_lead_flow_buyer_user_ids",
        string="Buyer users",
        help="Portal users of this lead buyer, disabled ones included.",
    )

    def _compute_lead_flow_buyer_user_ids(self):
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        for partner in self:
            partner.lead_flow_buyer_user_ids = (
                Users.search([("commercial_partner_id", "=", partner.id), ("share", "=", True)])
                if partner.lead_flow_is_buyer and partner.id
                else Users
            )

    @api.constrains("lead_flow_is_buyer", "is_company", "parent_id")
    def _check_lead_flow_is_buyer(self):
        for partner in self:
            if partner.lead_flow_is_buyer and partner.commercial_partner_id != partner:
                raise ValidationError(
                    self.env._(
                        "%s is not a company: mark its company as the lead buyer.",
                        partner.display_name,
                    )
                )

    def write(self, vals):
        res = super().write(vals)
        if "lead_flow_is_buyer" in vals or "parent_id" in vals:
            # The buyers' lead rule reads these (security/lead_flow_portal_security.xml)
            # and record rules are cached per user.
            self.env.registry.clear_cache()
        return res
