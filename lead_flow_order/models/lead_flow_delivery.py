from odoo import fields, models

DELIVERY_STATES = [("delivered", "Delivered"), ("returned", "Returned")]


class LeadFlowDelivery(models.Model):
    """A lead given to a buyer, by an order's distribution or by hand (Deliver to buyer).
    A buyer gets a lead once: never again after returning it."""

    _name = "lead.flow.delivery"
    _description = "Lead delivery"
    _order = "delivered_at desc, id desc"
    _rec_name = "lead_id"
    _lead_flow_lead_field = "lead_id"  # visible to whoever reads the lead (ir_rule.py)

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", index=True)
    buyer_id = fields.Many2one("res.partner", string="Buyer", required=True, index=True)
    order_id = fields.Many2one("lead.flow.order", string="Order", ondelete="restrict")
    delivered_at = fields.Datetime("Delivered on", required=True, default=fields.Datetime.now)
    state = fields.Selection(DELIVERY_STATES, string="Status", required=True, default="delivered")
    return_id = fields.Many2one("lead.flow.return", string="Return", readonly=True)
    invoice_line_id = fields.Many2one("account.move.line", "Invoice line", index="btree_not_null")
    refund_line_id = fields.Many2one("account.move.line", "Credit note line")
    company_id = fields.Many2one("res.company", index=True)
    # Set by the distributor with the delivery; cleared when the buyer's e-mail for it is
    # queued at the end of the run (crm_lead_distribute.py).
    notify_pending = fields.Boolean(readonly=True, copy=False)

    _sql_constraints = [
        (
            "one_delivery_per_buyer",
            "UNIQUE (lead_id, buyer_id)",
            "A lead goes to a buyer once: this buyer already had it.",
        ),
    ]

    def init(self):
        # The caps: an order's deliveries since the start of the day, week or month.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS lead_flow_delivery_order_date_idx"
            " ON lead_flow_delivery (order_id, delivered_at) WHERE order_id IS NOT NULL"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS lead_flow_delivery_notify_pending_idx"
            " ON lead_flow_delivery (id) WHERE notify_pending"
        )
