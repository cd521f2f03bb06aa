from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LeadOrderCase


@tagged("post_install", "-at_install")
class TestBilling(LeadOrderCase):
    """Invoices from the Lead product for what was delivered and not returned; amounts
    received are Odoo's own payment figures."""

    def pay(self, invoice, amount=None):
        register = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        )
        vals = {"amount": amount} if amount is not None else {}
        register.create(vals)._create_payments()

    def test_invoice_bills_what_was_delivered_since_the_last_one(self):
        order = self.make_order(quantity=10, price_unit=25.0)
        self.distribute(self.make_leads(3))
        self.assertEqual(order.uninvoiced_count, 3)
        first = order._lead_flow_invoice(post=True)
        self.assertEqual(first.move_type, "out_invoice")
        self.assertEqual(first.partner_id, self.buyer_a)
        line = first.invoice_line_ids
        self.assertEqual(line.product_id, self.env.ref("lead_flow_order.product_product_lead"))
        self.assertEqual((line.quantity, line.price_unit), (3, 25.0))
        self.assertEqual(order.uninvoiced_count, 0)
        self.assertFalse(order._lead_flow_invoice(post=True))  # nothing new to bill
        self.distribute(self.make_leads(2))
        second = order._lead_flow_invoice(post=True)
        self.assertEqual(second.invoice_line_ids.quantity, 2)
        self.assertEqual(order.invoice_count, 2)
        self.assertAlmostEqual(order.amount_invoiced, first.amount_total + second.amount_total)

    def test_amount_received_is_odoo_payments(self):
        order = self.make_order(quantity=10, price_unit=20.0)
        self.distribute(self.make_leads(2))
        invoice = order._lead_flow_invoice(post=True)
        self.assertEqual(order.amount_paid, 0.0)
        self.pay(invoice, amount=10.0)
        order.invalidate_recordset()
        self.assertAlmostEqual(order.amount_paid, 10.0)
        self.assertAlmostEqual(order.amount_due, invoice.amount_total - 10.0)
        self.pay(invoice)
        order.invalidate_recordset()
        self.assertEqual(invoice.payment_state in ("paid", "in_payment"), True)
        self.assertAlmostEqual(order.amount_paid, invoice.amount_total)
        self.assertAlmostEqual(order.amount_due, 0.0)

    def test_auto_charge_invoices_and_posts_at_fill(self):
        order = self.make_order(quantity=2, price_unit=40.0, auto_charge=True)
        self.distribute(self.make_leads(2))
        self.assertEqual(order.state, "closed")
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertEqual(order.invoice_ids.invoice_line_ids.quantity, 2)

    def test_auto_charge_at_the_end_date_and_renewal(self):
        today = fields.Date.today()
        order = self.make_order(
            quantity=10,
            auto_charge=True,
            renewal="at_end",
            date_start=today - timedelta(days=10),
            date_end=today - timedelta(days=1),
        )
        # Leads reached it while it ran; the period is now over.
        lead = self.make_leads(1)
        lead.lead_flow_deliver(self.buyer_a.id)
        self.env["lead.flow.delivery"].search([("lead_id", "=", lead.id)]).order_id = order
        order.delivered_count = 1
        self.env["lead.flow.order"]._cron_lead_flow_order_periods()
        self.assertEqual(order.state, "closed")
        self.assertEqual(order.invoice_ids.state, "posted")
        renewal = self.env["lead.flow.order"].search([("previous_order_id", "=", order.id)])
        self.assertEqual((renewal.date_start, renewal.date_end), (today, today + timedelta(days=9)))
        self.assertEqual(renewal.state, "open")

    def test_returned_lead_before_invoicing_is_not_billed(self):
        order = self.make_order(quantity=5)
        leads = self.make_leads(3)
        self.distribute(leads)
        self.approve_return(leads[0])
        self.assertEqual((order.returned_count, order.remaining_count), (1, 3))
        invoice = order._lead_flow_invoice(post=True)
        self.assertEqual(invoice.invoice_line_ids.quantity, 2)

    def test_returned_lead_on_a_draft_invoice_leaves_it(self):
        order = self.make_order(quantity=5)
        leads = self.make_leads(2)
        self.distribute(leads)
        invoice = order._lead_flow_invoice(post=False)
        self.approve_return(leads[0])
        self.assertEqual(invoice.invoice_line_ids.quantity, 1)

    def test_returned_lead_already_invoiced_gets_a_credit_note(self):
        order = self.make_order(quantity=5, price_unit=30.0)
        leads = self.make_leads(2)
        self.distribute(leads)
        invoice = order._lead_flow_invoice(post=True)
        self.approve_return(leads[1])
        refund = order.invoice_ids.filtered(lambda m: m.move_type == "out_refund")
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.reversed_entry_id, invoice)
        self.assertEqual(refund.invoice_line_ids.quantity, 1)
        self.assertAlmostEqual(refund.amount_untaxed, 30.0)
        self.assertAlmostEqual(order.amount_invoiced, invoice.amount_total - refund.amount_total)
        self.assertEqual(order.remaining_count, 4)

    def test_only_managers_invoice(self):
        order = self.make_order()
        self.distribute(self.make_leads(1))
        for user in (self.salesman, self.a_admin):
            with self.assertRaises(AccessError):
                order.with_user(user).action_lead_flow_invoice()
        self.assertFalse(order.invoice_ids)

    def approve_return(self, lead):
        ret = lead.with_user(self.a_admin).lead_flow_portal_return(self.reason.id, "Wrong number")
        self.env["lead.flow.return"].browse(ret).with_user(self.manager).action_approve()


@tagged("post_install", "-at_install")
class TestReturnRate(LeadOrderCase):
    def test_over_the_order_rate_the_request_warns_the_account_manager(self):
        order = self.make_order(quantity=10, max_return_percent=20.0, user_id=self.manager.id)
        leads = self.make_leads(5)
        self.distribute(leads)
        Return = self.env["lead.flow.return"]
        first = Return.browse(
            leads[0].with_user(self.a_admin).lead_flow_portal_return(self.reason.id)
        )
        self.assertFalse(first.lead_flow_order_warning)  # 1 of 5: 20%
        self.assertFalse(order.activity_ids)
        second = Return.browse(
            leads[1].with_user(self.a_admin).lead_flow_portal_return(self.reason.id)
        )
        self.assertIn("40%", second.lead_flow_order_warning)
        self.assertIn("20%", second.lead_flow_order_warning)
        self.assertEqual(second.state, "pending")
        self.assertEqual(order.activity_ids.user_id, self.manager)
        self.assertIn(leads[1].name, order.activity_ids.summary)
