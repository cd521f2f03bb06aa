"""Browser tour (headless Chromium) of a buyer admin in the portal's orders."""

from datetime import date

from odoo.tests import tagged

from .common_portal import LeadFlowOrderPortalCase


@tagged("post_install", "-at_install")
class TestOrderTour(LeadFlowOrderPortalCase):
    def test_buyer_admin_tour(self):
        Order = self.env["lead.flow.order"]
        before = Order.search([])
        self.start_tour("/my/orders", "lead_flow_order_buyer_tour", login="a_admin")
        # Paused, then resumed: both changes are in the order's tracking.
        changes = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", "lead.flow.order"),
                    ("mail_message_id.res_id", "=", self.order_a.id),
                    ("field_id.name", "=", "state"),
                ],
                order="id",
            )
        )
        self.assertEqual(
            [(c.old_value_char, c.new_value_char) for c in changes][-2:],
            [("Open", "Paused"), ("Paused", "Open")],
        )
        self.assertEqual(self.order_a.state, "open")
        new = Order.search([]) - before
        self.assertEqual(
            (new.buyer_id, new.state, new.quantity, new.date_start, new.cap_day),
            (self.buyer_a, "draft", 25, date(2027, 5, 1), 3),
        )
        self.assertIn("Tour order note", " ".join(new.message_ids.mapped("body")))
