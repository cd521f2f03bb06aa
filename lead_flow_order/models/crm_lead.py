from odoo import fields, models
from odoo.addons.lead_flow.models.crm_lead import MANAGER_GROUP
from odoo.exceptions import AccessError, UserError


class CrmLead(models.Model):
    _inherit = "crm.lead"

    lead_flow_order_id = fields.Many2one(
        "lead.flow.order",
        string="Lead order",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The buyer's order this lead was delivered under.",
    )
    lead_flow_delivery_ids = fields.One2many(
        "lead.flow.delivery", "lead_id", string="Deliveries", readonly=True
    )

    def init(self):
        res = super().init()
        # The distributor's candidates: active leads no buyer has, oldest first.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS crm_lead_lead_flow_undelivered_idx"
            " ON crm_lead (create_date, id) WHERE lead_flow_buyer_id IS NULL AND active"
        )
        return res

    def lead_flow_deliver(self, buyer_id, user_id=False):
        """Deliveries by hand are recorded like the distributor's (no order): a buyer never
        gets the same lead twice; a lead an order holds stays with it."""
        sold = self.filtered(lambda lead: lead.lead_flow_order_id and lead.lead_flow_buyer_id)
        if sold:
            raise UserError(
                self.env._(
                    "%(lead)s was delivered to %(buyer)s under order %(order)s: it can go to "
                    "another buyer once returned.",
                    lead=sold[0].display_name,
                    buyer=sold[0].lead_flow_buyer_id.name,
                    order=sold[0].lead_flow_order_id.name,
                )
            )
        res = super().lead_flow_deliver(buyer_id, user_id=user_id)
        self.flush_recordset(["lead_flow_buyer_id", "lead_flow_delivered_at", "company_id"])
        self.env.cr.execute(
            """INSERT INTO lead_flow_delivery
                   (lead_id, buyer_id, delivered_at, state, company_id,
                    create_uid, create_date, write_uid, write_date)
               SELECT id, lead_flow_buyer_id, lead_flow_delivered_at, 'delivered', company_id,
                      %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                 FROM crm_lead WHERE id = ANY(%(ids)s)
               ON CONFLICT (lead_id, buyer_id) DO NOTHING""",
            {"ids": self.ids, "uid": self.env.uid},
        )
        self.env["lead.flow.delivery"].invalidate_model()
        self.invalidate_recordset(["lead_flow_delivery_ids"])
        return res

    def action_lead_flow_redistribute(self):
        """Redistribute (managers): a lead a buyer returned goes back to distribution,
        restored if it was lost; it never goes to a buyer who had it before."""
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only a Lead Flow manager can redistribute leads."))
        kept = self.filtered(
            lambda lead: (
                lead.lead_flow_buyer_id
                and lead.lead_flow_delivery_ids.filtered(
                    lambda d: d.buyer_id == lead.lead_flow_buyer_id and d.state == "delivered"
                )
            )
        )
        if kept:
            raise UserError(
                self.env._(
                    "%s is still with its buyer: only returned leads are redistributed.",
                    kept[0].display_name,
                )
            )
        leads = self.with_context(active_test=False).sudo()
        leads.filtered(lambda lead: not lead.active).action_unarchive()
        leads.write(
            {
                "lead_flow_buyer_id": False,
                "lead_flow_buyer_user_id": False,
                "lead_flow_order_id": False,
                "lead_flow_delivered_at": False,
            }
        )
        return True

    def action_lead_flow_distribute(self):
        """Distribute button: these leads to the open orders they match."""
        count = self.lead_flow_distribute(self.ids)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if count else "warning",
                "message": self.env._("%s leads delivered to open orders.", count)
                if count
                else self.env._("No open order takes these leads now."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _lead_flow_check_buyer_rate(self, buyer):
        # A lead of an order with a maximum return rate: that rate decides, and a request
        # over it goes to the account manager with a warning instead of being refused.
        if self.lead_flow_order_id.max_return_percent:
            return
        return super()._lead_flow_check_buyer_rate(buyer)
