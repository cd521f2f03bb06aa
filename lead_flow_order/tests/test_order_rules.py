from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import LeadOrderCase


@tagged("post_install", "-at_install")
class TestOrderRules(LeadOrderCase):
    """Bad input is refused in words, and nothing is written."""

    def assertRefused(self, vals, *fragments):
        Order = self.env["lead.flow.order"]
        before = Order.search_count([])
        with self.assertRaises(ValidationError) as caught:
            self.make_order(**vals)
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))
        self.assertEqual(Order.search_count([]), before)

    def test_end_before_start(self):
        today = fields.Date.today()
        self.assertRefused(
            {"date_start": today, "date_end": today - timedelta(days=1)}, "before it starts"
        )

    def test_negative_quantity_price_and_caps(self):
        self.assertRefused({"quantity": -5}, "quantity of leads", "negative")
        self.assertRefused({"price_unit": -1.0}, "price per lead", "negative")
        self.assertRefused({"cap_day": -2}, "daily cap", "negative")
        self.assertRefused({"quantity": 0, "amount_cap": -100.0}, "amount cap", "negative")

    def test_order_needs_a_size(self):
        self.assertRefused({"quantity": 0}, "how many leads")
        self.assertRefused({"quantity": 0, "amount_cap": 100.0, "price_unit": 0.0}, "price")

    def test_overlapping_caps(self):
        self.assertRefused({"cap_day": 5, "cap_week": 3}, "daily cap (5)", "weekly cap (3)")
        self.assertRefused({"cap_week": 9, "cap_month": 8}, "weekly cap (9)", "overlap")
        self.assertRefused({"cap_day": 6, "cap_month": 5}, "daily cap (6)", "monthly cap (5)")
        self.assertRefused({"quantity": 10, "cap_month": 11}, "monthly cap (11)", "10 leads")

    def test_return_rate_bounds(self):
        self.assertRefused({"max_return_percent": 120}, "between 0 and 100")

    def test_amount_cap_sets_the_leads_to_deliver(self):
        order = self.make_order(quantity=0, amount_cap=100.0, price_unit=30.0)
        self.assertEqual(order.target_count, 3)
        self.assertEqual(order.remaining_count, 3)
        self.assertEqual(order.amount_total, 100.0)

    def test_reference_from_the_sequence(self):
        first, second = self.make_order(), self.make_order()
        self.assertTrue(first.name.startswith("LO/"))
        self.assertNotEqual(first.name, second.name)


@tagged("post_install", "-at_install")
class TestOrderStates(LeadOrderCase):
    def test_pause_resume_close(self):
        order = self.make_order(renewal="on_fill")
        self.assertEqual(order.state, "open")
        order.with_user(self.manager).action_pause()
        self.assertEqual(order.state, "paused")
        order.with_user(self.manager).action_resume()
        self.assertEqual(order.state, "open")
        order.with_user(self.manager).action_close()
        self.assertEqual(order.state, "closed")
        # Closed by hand, it ends: no renewal.
        self.assertFalse(self.env["lead.flow.order"].search([("previous_order_id", "=", order.id)]))

    def test_pausing_a_closed_order_is_refused(self):
        order = self.make_order()
        order.action_close()
        with self.assertRaises(UserError) as caught:
            order.with_user(self.manager).action_pause()
        self.assertIn("closed", str(caught.exception))
        self.assertEqual(order.state, "closed")
        with self.assertRaises(UserError):
            order.action_confirm()

    def test_a_paused_order_receives_no_lead(self):
        order = self.make_order()
        order.action_pause()
        leads = self.make_leads(2)
        self.assertEqual(self.distribute(leads), 0)
        self.assertFalse(leads.lead_flow_buyer_id)
        order.action_resume()
        self.assertEqual(self.distribute(leads), 2)
        self.assertEqual(leads.lead_flow_order_id, order)

    def test_draft_order_receives_no_lead_until_confirmed(self):
        order = self.make_order(confirm=False)
        leads = self.make_leads(1)
        self.assertEqual(self.distribute(leads), 0)
        order.with_user(self.manager).action_confirm()
        self.assertEqual(self.distribute(leads), 1)

    def test_buyer_admin_pauses_only_own_buyer_orders(self):
        order_a = self.make_order(self.buyer_a)
        order_a.with_user(self.a_admin).action_pause()
        self.assertEqual(order_a.state, "paused")
        with self.assertRaises(AccessError):
            order_a.with_user(self.b_admin).action_resume()
        with self.assertRaises(AccessError):
            order_a.with_user(self.a_user).action_resume()
        self.assertEqual(order_a.state, "paused")

    def test_only_managers_confirm_close_and_distribute(self):
        order = self.make_order(confirm=False)
        for user in (self.salesman, self.a_admin):
            with self.assertRaises(AccessError):
                order.with_user(user).action_confirm()
            with self.assertRaises(AccessError):
                self.env["crm.lead"].with_user(user).lead_flow_distribute()
        self.assertEqual(order.state, "draft")


@tagged("post_install", "-at_install")
class TestOrderAccess(LeadOrderCase):
    """Who reads orders and deliveries: managers all, buyers' admins their own only."""

    def test_portal_users_read_their_buyer_orders_only(self):
        order_a, order_b = self.make_order(self.buyer_a), self.make_order(self.buyer_b)
        Order = self.env["lead.flow.order"]
        self.assertEqual(Order.with_user(self.a_admin).search([]), order_a)
        self.assertEqual(Order.with_user(self.b_admin).search([]), order_b)
        self.assertFalse(Order.with_user(self.a_user).search([]))
        with self.assertRaises(AccessError):
            order_b.with_user(self.a_admin).read(["name"])
        with self.assertRaises(AccessError):
            order_a.with_user(self.a_admin).write({"price_unit": 1.0})
        with self.assertRaises(AccessError):
            Order.with_user(self.a_admin).create({"buyer_id": self.buyer_a.id, "quantity": 1})

    def test_deliveries_follow_buyer_and_lead(self):
        self.make_order(self.buyer_a)
        leads = self.make_leads(2)
        self.distribute(leads)
        Delivery = self.env["lead.flow.delivery"]
        self.assertEqual(len(Delivery.with_user(self.a_admin).search([])), 2)
        self.assertFalse(Delivery.with_user(self.b_admin).search([]))
        # An own-documents salesperson reads the deliveries of their own leads only.
        self.assertFalse(Delivery.with_user(self.salesman).search([]))
        leads[0].user_id = self.salesman
        self.assertEqual(Delivery.with_user(self.salesman).search([]).lead_id, leads[0])

    def test_salesman_cannot_write_orders(self):
        order = self.make_order()
        with self.assertRaises(AccessError):
            order.with_user(self.salesman).write({"quantity": 99})
        self.assertEqual(order.quantity, 10)
