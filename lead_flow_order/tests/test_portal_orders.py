import re
from datetime import date
from unittest.mock import patch

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.tests import tagged

from .common_portal import LeadFlowOrderPortalCase, text

GOOD_REQUEST = {
    "quantity": "40",
    "date_start": "2027-02-01",
    "date_end": "2027-03-31",
    "cap_day": "5",
    "cap_week": "20",
    "cap_month": "",
    "note": "LFOP note: solar leads around Lyon please",
}


@tagged("post_install", "-at_install")
class TestPortalOrders(LeadFlowOrderPortalCase):
    def order_routes(self, order):
        """(method, url) of every route of one order."""
        return [
            ("GET", f"/my/orders/{order.id}"),
            ("GET", f"/my/orders/{order.id}/page/2"),
            ("POST", f"/my/orders/{order.id}/pause"),
            ("POST", f"/my/orders/{order.id}/resume"),
        ]

    def money(self, amount):
        return f"{amount:,.2f}"

    def test_list_shows_the_buyer_orders_and_their_figures(self):
        self.login(self.a_admin)
        html = self.get("/my/orders").text
        self.assertNotIn(self.order_b.name, html)
        row = self.row(html, self.order_a)
        self.assertIn(self.order_a.name, row)
        self.assertIn("01/01/2026", row)
        self.assertIn("12/31/2099", row)
        self.assertIn("Open", row)
        self.assertIn("When filled", row)
        self.assertIn("Yes", row)  # auto charge
        invoiced = self.invoice.amount_total
        self.assertGreaterEqual(invoiced, 60.0)
        # Total, received, remaining (6 leads, 120.00), cost (4 leads kept), invoiced.
        figures = re.findall(r"[\d,]+\.\d\d", row)
        self.assertEqual(
            figures,
            [self.money(amount) for amount in (200.0, 25.0, 120.0, 80.0, invoiced)],
        )
        self.assertIn("6 leads", row)
        closed = self.row(html, self.order_a_closed)
        self.assertIn("Closed", closed)
        self.assertIn("No", closed)
        self.assertIn("5 leads", closed)
        # Odoo's sorting and pager.
        names = re.findall(r"LO/\d{4}/\d+", self.get("/my/orders?sortby=name").text)
        self.assertEqual(names, sorted([self.order_a.name, self.order_a_closed.name]))
        html = self.get("/my/orders?sortby=state").text
        self.assertLess(html.index(self.order_a_closed.name), html.index(self.order_a.name))
        with patch.object(CustomerPortal, "_items_per_page", 1):
            first = self.get("/my/orders?sortby=name").text
            second = self.get("/my/orders/page/2?sortby=name").text
        self.assertIn(names[0], first)
        self.assertNotIn(names[1], first)
        self.assertIn(names[1], second)
        self.assertIn("/my/orders/page/2", first)

    def test_order_page_shows_its_figures_leads_and_posted_invoices(self):
        self.login(self.a_admin)
        html = self.get(f"/my/orders/{self.order_a.id}").text
        figures = text(re.search(r'o_lead_flow_order_figures">(.*?)</table>', html, re.S).group(1))
        self.assertIn("Leads delivered 5", figures)
        self.assertIn("Leads returned 1", figures)
        self.assertIn("Remaining 6 leads", figures)
        self.assertRegex(figures, r"Cost \$ 80\.00")
        self.assertRegex(figures, r"Amount received \$ 25\.00")
        leads = re.findall(r'class="o_lead_flow_order_lead_row">(.*?)</tr>', html, re.S)
        self.assertEqual(len(leads), 5)
        by_name = {re.search(r"LFOP lead \d", row).group(0): row for row in leads}
        self.assertIn("Returned", text(by_name["LFOP lead 0"]))
        # A returned lead stays the buyer's (archived) until it is redistributed.
        returned = self.order_leads[0]
        self.assertIn(f'href="/my/leads/{returned.id}"', by_name["LFOP lead 0"])
        self.get(f"/my/leads/{returned.id}")
        self.assertIn("Delivered", text(by_name["LFOP lead 4"]))
        self.assertIn(f'href="/my/leads/{self.order_leads[4].id}"', by_name["LFOP lead 4"])
        # Posted invoices only, each linking to Odoo's portal invoice page.
        invoices = re.findall(r'class="o_lead_flow_order_invoice_row">(.*?)</tr>', html, re.S)
        self.assertEqual(len(invoices), 1)
        self.assertIn(self.invoice.name, invoices[0])
        link = re.search(r'href="([^"]+)"', invoices[0]).group(1).replace("&amp;", "&")
        self.assertTrue(link.startswith(f"/my/invoices/{self.invoice.id}?access_token="))
        self.assertIn(self.invoice.name, self.get(link).text)
        self.assertEqual(self.draft_invoice.state, "draft")
        self.assertIn(f"/my/orders/{self.order_a.id}/pause", html)
        self.assertNotIn(f"/my/orders/{self.order_a.id}/resume", html)
        returned.sudo().action_lead_flow_redistribute()
        html = self.get(f"/my/orders/{self.order_a.id}").text
        self.assertIn("LFOP lead 0", html, "still listed, no longer linked")
        self.assertNotIn(f'href="/my/leads/{returned.id}"', html)
        closed = self.get(f"/my/orders/{self.order_a_closed.id}").text
        self.assertIn("No leads delivered yet.", closed)
        self.assertIn("No invoices yet.", closed)
        self.assertNotIn("/pause", closed)
        self.assertNotIn("/resume", closed)

    def test_home_counter(self):
        for user, count in ((self.a_admin, 2), (self.a_plain, 0), (self.b_admin, 1)):
            with self.subTest(user=user.login):
                self.login(user)
                counters = self.make_jsonrpc_request(
                    "/my/counters", {"counters": ["lead_flow_order_count"]}
                )
                self.assertEqual(counters["lead_flow_order_count"], count)
        self.assertIn('href="/my/orders"', self.get("/my").text)

    def test_other_buyers_and_non_admins_get_404_and_change_nothing(self):
        paused = self.order_a.copy({"state": "paused"})
        for user in (self.a_plain, self.a_top, self.b_admin):
            self.login(user)
            for order in (self.order_a, paused, self.order_a_closed):
                for method, url in self.order_routes(order):
                    with self.subTest(user=user.login, url=url):
                        if method == "GET":
                            self.get(url, status=404)
                        else:
                            self.post(url, status=404)
        self.assertEqual(self.order_a.state, "open")
        self.assertEqual(paused.state, "paused")
        self.assertEqual(self.order_a_closed.state, "closed")
        # B's admin lists B's order only; A's users who are no admins get no list.
        self.login(self.b_admin)
        html = self.get("/my/orders").text
        self.assertIn(self.order_b.name, html)
        self.assertNotIn(self.order_a.name, html)
        self.assertNotIn(self.order_a_closed.name, html)
        self.get("/my/orders/999999999", status=404)
        count = self.env["lead.flow.order"].search_count([])
        for user in (self.a_plain, self.a_top):
            self.login(user)
            self.get("/my/orders", status=404)
            self.get("/my/orders/new", status=404)
            self.post("/my/orders/new", GOOD_REQUEST, status=404)
        self.authenticate("admin", "admin")  # an internal user is no buyer
        self.get("/my/orders", status=404)
        self.get(f"/my/orders/{self.order_a.id}", status=404)
        self.assertEqual(self.env["lead.flow.order"].search_count([]), count)

    def test_pause_and_resume(self):
        self.login(self.a_admin)
        url = f"/my/orders/{self.order_a.id}"
        response = self.post(f"{url}/pause")
        self.assertIn(f"{url}?message=", response.headers["Location"])
        self.assertEqual(self.order_a.state, "paused")
        html = self.get(response.headers["Location"]).text
        self.assertIn("Order paused", html)
        self.assertIn(f"{url}/resume", html)
        self.assertNotIn(f"{url}/pause", html)
        self.post(f"{url}/resume")
        self.assertEqual(self.order_a.state, "open")
        html = self.get(url).text
        self.assertIn(f"{url}/pause", html)
        self.assertRegex(html, r"o_lead_flow_order_state[^>]*>\s*Open")

    def test_pausing_a_closed_order_shows_the_error(self):
        self.login(self.a_admin)
        url = f"/my/orders/{self.order_a_closed.id}"
        for action in ("pause", "resume"):
            response = self.post(f"{url}/{action}")
            self.assertIn("?error=", response.headers["Location"])
            html = self.get(response.headers["Location"]).text
            error = text(re.search(r'o_lead_flow_error"[^>]*>(.*?)</div>', html, re.S).group(1))
            self.assertEqual(
                error,
                f"{self.order_a_closed.name} is closed: it cannot be "
                f"{'paused' if action == 'pause' else 'resumed'}.",
            )
            self.assertEqual(self.order_a_closed.state, "closed")

    def test_request_a_new_order(self):
        self.login(self.a_admin)
        self.assertIn("o_lead_flow_order_request", self.get("/my/orders/new").text)
        Order = self.env["lead.flow.order"]
        before = Order.search([])
        # A buyer_id in the form is ignored: the order is the caller's buyer's.
        response = self.post("/my/orders/new", dict(GOOD_REQUEST, buyer_id=self.buyer_b.id))
        new = Order.search([]) - before
        self.assertEqual(len(new), 1)
        self.assertEqual(
            (new.buyer_id, new.state, new.quantity, new.date_start, new.date_end),
            (self.buyer_a, "draft", 40, date(2027, 2, 1), date(2027, 3, 31)),
        )
        self.assertEqual((new.cap_day, new.cap_week, new.cap_month), (5, 20, 0))
        self.assertEqual(new.price_unit, 15.0, "the price of the buyer's latest order")
        self.assertTrue(new.name.startswith("LO/"))
        self.assertIn("solar leads around Lyon", " ".join(new.message_ids.mapped("body")))
        self.assertIn(f"/my/orders/{new.id}?message=", response.headers["Location"])
        html = self.get(response.headers["Location"]).text
        self.assertIn(f"Order {new.name} requested", html)
        self.assertRegex(html, r"o_lead_flow_order_state[^>]*>\s*Draft")
        # B's admin: an order for B, at the price of B's latest order.
        self.login(self.b_admin)
        self.post("/my/orders/new", GOOD_REQUEST)
        newest = Order.search([], order="id desc", limit=1)
        self.assertEqual((newest.buyer_id, newest.price_unit), (self.buyer_b, 30.0))

    def test_bad_request_shows_the_error_and_creates_nothing(self):
        self.login(self.a_admin)
        Order = self.env["lead.flow.order"]
        count = Order.search_count([])
        cases = [
            ({"quantity": "0"}, "The quantity of leads must be more than 0."),
            ({"quantity": "-3"}, "The quantity of leads must be more than 0."),
            ({"quantity": "many"}, "The quantity of leads must be a whole number."),
            ({"date_start": ""}, "Set the date the order starts."),
            (
                {"date_end": "2027-01-15"},
                "The order cannot end (2027-01-15) before it starts (2027-02-01).",
            ),
            (
                {"cap_day": "30", "cap_week": "20"},
                "The daily cap (30) cannot be above the weekly cap (20): the caps overlap.",
            ),
            (
                {"cap_month": "50"},
                "The monthly cap (50) cannot be above the 40 leads of the order.",
            ),
            ({"cap_week": "-1"}, "The weekly cap cannot be negative."),
        ]
        for change, message in cases:
            with self.subTest(change=change):
                response = self.post("/my/orders/new", dict(GOOD_REQUEST, **change), status=200)
                error = re.search(r'o_lead_flow_error"[^>]*>(.*?)</div>', response.text, re.S)
                self.assertEqual(text(error.group(1)), message)
                # The form keeps what was typed.
                self.assertIn("solar leads around Lyon", response.text)
                self.assertEqual(Order.search_count([]), count)
