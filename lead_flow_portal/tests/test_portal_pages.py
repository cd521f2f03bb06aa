import re

from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .common_http import LeadFlowPortalHttpCase

ROUTES = ["/my/leads/{id}", "/my/leads/{id}/pdf", "/my/leads/{id}/csv"]


def names(html):
    return set(re.findall(r"LFP lead \w+", html))


@tagged("post_install", "-at_install")
class TestLeadFlowPortalPages(LeadFlowPortalHttpCase):
    def test_pages_render_the_right_rows(self):
        expected = {
            self.a_admin: {lead.name for lead in self.leads_a},
            self.a_top: {"LFP lead Top", "LFP lead Mid", "LFP lead Low"},
            self.a_mid: {"LFP lead Mid", "LFP lead Low"},
            self.a_low: {"LFP lead Low"},
            self.a_plain: {"LFP lead Plain"},
            self.b_admin: {"LFP lead Bravo"},
        }
        for user, leads in expected.items():
            with self.subTest(user=user.login):
                self.login(user)
                self.assertEqual(names(self.get("/my/leads").text), leads)
                dashboard = self.get("/my/leads/dashboard").text
                self.assertEqual(names(dashboard), leads)
                self.assertRegex(dashboard, rf'o_lead_flow_month_total">\s*{len(leads)}\s*<')
                self.get("/my/lead-returns")
                self.get("/my/appointments")

    def test_home_counters(self):
        self.login(self.a_top)
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {
                "counters": [
                    "lead_flow_lead_count",
                    "lead_flow_user_count",
                    "lead_flow_return_count",
                ]
            },
        )
        self.assertEqual(counters["lead_flow_lead_count"], 3)
        self.assertEqual(counters["lead_flow_user_count"], 0)
        self.login(self.a_admin)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["lead_flow_user_count"]})
        self.assertEqual(counters["lead_flow_user_count"], 6)
        self.assertIn("/my/leads/dashboard", self.get("/my").text)

    def test_list_filters_and_sorts(self):
        self.login(self.a_admin)
        html = self.get("/my/leads?search=bravo").text
        self.assertFalse(names(html), "another buyer's lead is never found")
        self.assertEqual(names(self.get("/my/leads?search=555 0101").text), {"LFP lead Top"})
        self.assertEqual(names(self.get("/my/leads?search=low@customer").text), {"LFP lead Low"})
        html = self.get("/my/leads?sortby=name&order=asc").text
        order = re.findall(r'class="o_lead_flow_lead_row".*?(LFP lead \w+)', html, re.S)
        self.assertEqual(order, sorted(order))
        for column in ("date", "contact", "email", "phone", "user", "status"):
            for direction in ("asc", "desc"):
                self.get(
                    f"/my/leads?sortby={column}&order={direction}&date_begin=2000-01-01&date_end=2100-01-01"
                )
        self.assertFalse(names(self.get("/my/leads?date_end=2000-01-01").text))
        self.lead_plain.tag_ids = [(0, 0, {"name": "LFP Solar"})]
        tag = self.lead_plain.tag_ids
        self.assertEqual(names(self.get(f"/my/leads?tag={tag.id}").text), {"LFP lead Plain"})
        self.assertEqual(names(self.get("/my/leads?status=return_pending").text), set())

    def test_cross_buyer_and_cross_downline_routes_404(self):
        cases = [
            (self.b_admin, self.lead_top),
            (self.a_admin, self.lead_b),
            (self.a_low, self.lead_mid),
            (self.a_plain, self.lead_top),
            (self.a_top, self.lead_free),
        ]
        for user, lead in cases:
            self.login(user)
            for route in ROUTES:
                with self.subTest(user=user.login, route=route):
                    self.get(route.format(id=lead.id), status=404)
        self.login(self.a_top)
        self.get("/my/leads/999999999", status=404)
        for route in ROUTES:
            self.get(route.format(id=self.lead_low.id))

    def test_pdf_and_export_of_own_lead(self):
        Log = self.env["lead.flow.log"].sudo()
        Log.create(
            {
                "lead_id": self.lead_top.id,
                "type_id": self.internal_type.id,
                "body": "LFPSECRET internal",
                "origin": "manual",
            }
        )
        Log.create(
            {
                "lead_id": self.lead_top.id,
                "type_id": self.visible_type.id,
                "body": "LFPSHOWN to buyers",
                "origin": "manual",
            }
        )
        self.login(self.a_top)
        # Odoo renders reports as HTML in test mode: the text of the sheet can be read.
        sheet = self.get(f"/my/leads/{self.lead_top.id}/pdf").content.decode()
        self.assertIn("LFP lead Top", sheet)
        self.assertIn("LFPSHOWN", sheet)
        self.assertNotIn("LFPSECRET", sheet)
        page = self.get(f"/my/leads/{self.lead_top.id}").text
        self.assertIn("LFPSHOWN", page)
        self.assertNotIn("LFPSECRET", page)
        csv_text = self.get(f"/my/leads/{self.lead_top.id}/csv").content.decode("utf-8-sig")
        self.assertIn("LFP lead Top", csv_text)
        self.assertIn("top@customer.example", csv_text)
        self.assertNotIn("LFP lead Mid", csv_text)

    def test_lead_sheet_for_buyers_keeps_internal_notes_out(self):
        Log = self.env["lead.flow.log"].sudo()
        secret = Log.create(
            {
                "lead_id": self.lead_top.id,
                "type_id": self.internal_type.id,
                "body": "LFPSECRET",
                "origin": "manual",
            }
        )
        shown = Log.create(
            {
                "lead_id": self.lead_top.id,
                "type_id": self.visible_type.id,
                "body": "LFPSHOWN",
                "origin": "manual",
            }
        )
        values = (
            self.env["report.lead_flow.report_lead_sheet"]
            .with_context(lead_flow_portal_buyer_id=self.buyer_a.id)
            ._get_report_values(self.lead_top.ids)
        )
        self.assertIn(shown, values["history"][self.lead_top.id])
        self.assertNotIn(secret, values["history"][self.lead_top.id])
        self.assertNotIn(secret, values["notes"][self.lead_top.id])

    def test_jsonrpc_search_read_is_confined(self):
        attachment = self.env["ir.attachment"].create(
            {"name": "top.txt", "raw": b"top", "res_model": "crm.lead", "res_id": self.lead_top.id}
        )
        log = (
            self.env["lead.flow.log"]
            .sudo()
            .create({"lead_id": self.lead_top.id, "type_id": self.visible_type.id, "body": "Shown"})
        )

        def search_read(model, domain, fields):
            """The rows, or [] when the server refuses with an AccessError."""
            try:
                return self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": model,
                        "method": "search_read",
                        "args": [domain, fields],
                        "kwargs": {},
                    },
                )
            except JsonRpcException as error:
                self.assertIn("AccessError", str(error))
                return []

        self.login(self.b_admin)
        leads = search_read("crm.lead", [], ["name"])
        self.assertEqual({row["name"] for row in leads}, {"LFP lead Bravo"})
        self.assertFalse(search_read("crm.lead", [("id", "=", self.lead_top.id)], ["name"]))
        self.assertFalse(
            search_read("lead.flow.log", [("lead_id", "=", self.lead_top.id)], ["body"])
        )
        self.assertFalse(search_read("ir.attachment", [("id", "=", attachment.id)], ["name"]))
        self.assertFalse(search_read("lead.flow.return", [], ["lead_id"]))
        self.get(f"/web/content/{attachment.id}", status=404)
        self.login(self.a_top)
        rows = search_read("lead.flow.log", [("lead_id", "=", self.lead_top.id)], ["body"])
        self.assertEqual([row["id"] for row in rows], log.ids)
        # Portal users read no ir.attachment: files come through the lead's route only.
        self.get(f"/web/content/{attachment.id}", status=404)
        self.assertEqual(
            self.get(f"/my/leads/{self.lead_top.id}/files/{attachment.id}").content, b"top"
        )
        self.login(self.a_plain)
        self.get(f"/my/leads/{self.lead_plain.id}/files/{attachment.id}", status=404)
        self.get(f"/web/content/{attachment.id}", status=404)

    def test_non_buyers_get_404(self):
        self.authenticate("admin", "admin")
        for url in (
            "/my/leads",
            "/my/leads/dashboard",
            "/my/lead-returns",
            "/my/appointments",
            "/my/users",
        ):
            with self.subTest(url=url):
                self.get(url, status=404)
        self.login(self.a_top)
        self.get("/my/users", status=404)

    def test_chatter_is_confined_and_keeps_operators_notes_out(self):
        self.lead_top.lead_flow_log_note("LFPNOTE operators only")
        self.lead_top.message_post(
            body="LFPMAIL to the customer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )

        def bodies(user, lead):
            self.login(user)
            try:
                rows = self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": "mail.message",
                        "method": "search_read",
                        "args": [[("model", "=", "crm.lead"), ("res_id", "=", lead.id)], ["body"]],
                        "kwargs": {},
                    },
                )
            except JsonRpcException as error:
                self.assertIn("AccessError", str(error))
                rows = []
            try:
                thread = self.make_jsonrpc_request(
                    "/mail/thread/messages", {"thread_model": "crm.lead", "thread_id": lead.id}
                )
                rows += thread["data"].get("mail.message", [])
            except JsonRpcException as error:  # refused outright: nothing is shown
                self.assertRegex(str(error), "NotFound|AccessError|MissingError|Forbidden")
            return " ".join(str(row.get("body")) for row in rows)

        own = bodies(self.a_top, self.lead_top)
        self.assertIn("LFPMAIL", own, "the customer e-mails of their own lead are readable")
        self.assertNotIn("LFPNOTE", own)
        for user in (self.b_admin, self.a_low, self.a_plain):
            with self.subTest(user=user.login):
                seen = bodies(user, self.lead_top)
                self.assertNotIn("LFPMAIL", seen)
                self.assertNotIn("LFPNOTE", seen)
