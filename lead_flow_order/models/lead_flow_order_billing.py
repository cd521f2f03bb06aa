from odoo import Command, api, fields, models

LEAD_PRODUCT = "lead_flow_order.product_product_lead"
INVOICE_TYPES = ("out_invoice", "out_refund")


class LeadFlowOrder(models.Model):
    """Billing through Odoo Accounting: an invoice per order for the leads delivered and
    not returned since the last one; the amounts received are Odoo's payment figures."""

    _inherit = "lead.flow.order"

    invoice_ids = fields.One2many("account.move", "lead_flow_order_id", string="Invoices")
    invoice_count = fields.Integer(compute="_compute_lead_flow_billing")
    amount_invoiced = fields.Monetary("Invoiced", compute="_compute_lead_flow_billing")
    amount_paid = fields.Monetary(
        "Amount received", compute="_compute_lead_flow_billing", help="Paid on its invoices."
    )
    amount_due = fields.Monetary("Amount due", compute="_compute_lead_flow_billing")
    amount_remaining = fields.Monetary(
        "Amount remaining", compute="_compute_lead_flow_billing", help="Order total less its cost."
    )
    uninvoiced_count = fields.Integer(
        "To invoice", compute="_compute_lead_flow_billing", help="Leads delivered, not billed."
    )

    @api.depends("invoice_ids.state", "invoice_ids.amount_residual_signed", "delivered_count")
    def _compute_lead_flow_billing(self):
        Delivery = self.env["lead.flow.delivery"].sudo()
        to_bill = dict(
            Delivery._read_group(
                [
                    ("order_id", "in", self.ids),
                    ("state", "=", "delivered"),
                    ("invoice_line_id", "=", False),
                ],
                ["order_id"],
                ["__count"],
            )
        )
        for order in self:
            moves = order.sudo().invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type in INVOICE_TYPES
            )
            order.invoice_count = len(order.sudo().invoice_ids)
            order.amount_invoiced = sum(moves.mapped("amount_total_signed"))
            order.amount_due = sum(moves.mapped("amount_residual_signed"))
            order.amount_paid = order.amount_invoiced - order.amount_due
            order.amount_remaining = order.amount_total - order.amount_delivered
            order.uninvoiced_count = to_bill.get(order._origin, 0)

    def action_lead_flow_invoice(self):
        """Invoice button: a draft invoice per order for what is left to bill."""
        self._lead_flow_check_manager()
        moves = self._lead_flow_invoice(post=False)
        return self._lead_flow_invoices_action(moves)

    def action_view_invoices(self):
        self._lead_flow_check_manager()
        return self._lead_flow_invoices_action(self.sudo().invoice_ids)

    def _lead_flow_invoices_action(self, moves):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", moves.ids)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        if len(moves) == 1:
            action.update(views=[(False, "form")], res_id=moves.id)
        return action

    def _lead_flow_invoice(self, post=False, before=None):
        """An invoice per order for its leads delivered, not returned and not billed yet
        (delivered before ``before`` if given); posted when ``post``. The invoices."""
        Delivery = self.env["lead.flow.delivery"].sudo()
        Move = self.env["account.move"].sudo()
        product = self.env.ref(LEAD_PRODUCT)
        moves = Move
        for order in self.sudo():
            domain = [
                ("order_id", "=", order.id),
                ("state", "=", "delivered"),
                ("invoice_line_id", "=", False),
            ]
            if before:
                domain.append(("delivered_at", "<", before))
            deliveries = Delivery.search(domain)
            if not deliveries:
                continue
            move = Move.with_company(order.company_id).create(
                {
                    "move_type": "out_invoice",
                    "partner_id": order.buyer_id.id,
                    "lead_flow_order_id": order.id,
                    "invoice_origin": order.name,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "name": self.env._(
                                    "%(count)s leads delivered under order %(order)s",
                                    count=len(deliveries),
                                    order=order.name,
                                ),
                                "quantity": len(deliveries),
                                "price_unit": order.price_unit,
                            }
                        )
                    ],
                }
            )
            deliveries.write({"invoice_line_id": move.invoice_line_ids[:1].id})
            moves |= move
        if post and moves:
            moves.action_post()
        return moves

    def _lead_flow_credit(self, delivery):
        """A returned lead is not billed: out of its draft invoice, or a credit note of one
        lead when its invoice is posted."""
        line = delivery.invoice_line_id
        if not line:
            return
        move = line.move_id
        if move.state == "draft":
            delivery.invoice_line_id = False
            if line.quantity > 1:
                line.quantity -= 1
            elif len(move.invoice_line_ids) == 1:
                move.unlink()
            else:
                line.unlink()
            return
        if move.state != "posted":
            delivery.invoice_line_id = False
            return
        refund = (
            self.env["account.move"]
            .sudo()
            .with_company(move.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": move.partner_id.id,
                    "lead_flow_order_id": self.id,
                    "reversed_entry_id": move.id,
                    "invoice_origin": self.name,
                    "ref": self.env._("Returned lead: %s", delivery.lead_id.display_name),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "name": self.env._(
                                    "Returned lead %(lead)s (order %(order)s)",
                                    lead=delivery.lead_id.display_name,
                                    order=self.name,
                                ),
                                "quantity": 1,
                                "price_unit": line.price_unit,
                                "tax_ids": [Command.set(line.tax_ids.ids)],
                            }
                        )
                    ],
                }
            )
        )
        refund.action_post()
        delivery.refund_line_id = refund.invoice_line_ids[:1]
