from odoo.tests import tagged

from .common_http import LeadFlowPortalHttpCase


@tagged("post_install", "-at_install")
class TestLeadFlowPortalFlows(LeadFlowPortalHttpCase):
    def lead_url(self, lead, action):
        return f"/my/leads/{lead.id}/{action}"

    def test_return_flow(self):
        self.login(self.a_top)
        response = self.post(
            self.lead_url(self.lead_low, "return"), {"reason_id": self.reason.id, "note": "Fake"}
        )
        self.assertIn("message=", response.headers["Location"])
        ret = self.lead_low.lead_flow_return_ids
        self.assertEqual((ret.state, ret.user_id, ret.note), ("pending", self.a_top, "Fake"))
        page = self.get(f"/my/leads/{self.lead_low.id}").text
        self.assertIn("o_lead_flow_return_state", page)
        self.assertIn("LFP lead Low", self.get("/my/lead-returns").text)
        # A second request is refused with the reason, nothing more is written.
        response = self.post(self.lead_url(self.lead_low, "return"), {"reason_id": self.reason.id})
        self.assertIn("error=", response.headers["Location"])
        self.assertEqual(len(self.lead_low.lead_flow_return_ids), 1)
        ret.sudo().action_deny()
        self.assertIn("Denied", self.get("/my/lead-returns").text)

    def test_appointment_flow(self):
        self.login(self.a_admin)
        self.post(
            self.lead_url(self.lead_plain, "appointment"),
            {
                "name": "Site visit",
                "start": "2030-05-02T10:00",
                "duration": "60",
                "user_id": self.a_plain.id,
                "description": "Bring samples",
            },
        )
        event = self.env["calendar.event"].search([("opportunity_id", "=", self.lead_plain.id)])
        self.assertEqual(event.name, "Site visit")
        self.assertEqual(event.user_id, self.a_plain)
        self.assertIn(self.a_plain.partner_id, event.partner_ids)
        self.assertEqual((event.stop - event.start).total_seconds(), 3600)
        self.assertIn("Site visit", self.get(f"/my/leads/{self.lead_plain.id}").text)
        self.assertIn("Site visit", self.get("/my/appointments").text)
        self.login(self.a_plain)
        self.assertIn("Site visit", self.get("/my/appointments").text)
        self.login(self.a_top)
        self.assertNotIn("Site visit", self.get("/my/appointments").text)
        # Another buyer's user is refused.
        self.login(self.a_admin)
        response = self.post(
            self.lead_url(self.lead_plain, "appointment"),
            {
                "name": "Wrong",
                "start": "2030-05-02T10:00",
                "duration": "60",
                "user_id": self.b_user.id,
            },
        )
        self.assertIn("error=", response.headers["Location"])
        self.assertFalse(self.env["calendar.event"].search([("name", "=", "Wrong")]))

    def test_upload_and_download(self):
        self.login(self.a_plain)
        self.post(
            self.lead_url(self.lead_plain, "upload"),
            files={"file": ("quote.txt", b"quote body", "text/plain")},
        )
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead_plain.id)]
        )
        self.assertEqual(attachment.name, "quote.txt")
        self.assertEqual(
            self.get(self.lead_url(self.lead_plain, f"files/{attachment.id}")).content,
            b"quote body",
        )
        self.login(self.b_admin)
        self.get(self.lead_url(self.lead_plain, f"files/{attachment.id}"), status=404)
        self.get(self.lead_url(self.lead_b, f"files/{attachment.id}"), status=404)

    def test_email_and_forward(self):
        self.login(self.a_plain)
        self.post(
            self.lead_url(self.lead_plain, "email"),
            {"subject": "Your request", "body": "LFPHELLO when can we call?"},
        )
        message = self.lead_plain.message_ids.filtered(lambda m: "LFPHELLO" in (m.body or ""))
        self.assertEqual(message.author_id, self.a_plain.partner_id)
        self.assertEqual(message.partner_ids.email, "plain@customer.example")
        history = self.env["lead.flow.log"].search(
            [("lead_id", "=", self.lead_plain.id), ("type_id.code", "=", "email_out")]
        )
        self.assertTrue(history, "the e-mail is in the lead's history")
        self.post(
            self.lead_url(self.lead_plain, "forward"),
            {"emails": "colleague@dealer.example", "note": "LFPFWD for you"},
        )
        forward = self.lead_plain.message_ids.filtered(
            lambda m: m.partner_ids.email == "colleague@dealer.example"
        )
        self.assertTrue(forward)
        self.assertTrue(forward.subtype_id.internal, "a forward is an internal note")

    def test_cross_buyer_posts_404_and_write_nothing(self):
        self.login(self.b_admin)
        before = {
            "returns": self.env["lead.flow.return"].search_count([]),
            "events": self.env["calendar.event"].search_count([]),
            "attachments": self.env["ir.attachment"].search_count([("res_model", "=", "crm.lead")]),
            "messages": len(self.lead_top.message_ids),
        }
        posts = {
            "return": {"reason_id": self.reason.id},
            "appointment": {"name": "X", "start": "2030-01-01T10:00", "user_id": self.b_user.id},
            "email": {"body": "x"},
            "forward": {"emails": "x@example.com"},
            "assign": {"user_id": self.b_user.id},
        }
        for action, data in posts.items():
            with self.subTest(action=action):
                self.post(self.lead_url(self.lead_top, action), data, status=404)
        self.post(
            self.lead_url(self.lead_top, "upload"),
            files={"file": ("x.txt", b"x", "text/plain")},
            status=404,
        )
        self.login(self.a_low)
        self.post(self.lead_url(self.lead_mid, "return"), {"reason_id": self.reason.id}, status=404)
        after = {
            "returns": self.env["lead.flow.return"].search_count([]),
            "events": self.env["calendar.event"].search_count([]),
            "attachments": self.env["ir.attachment"].search_count([("res_model", "=", "crm.lead")]),
            "messages": len(self.lead_top.message_ids),
        }
        self.assertEqual(before, after)
        self.assertEqual(self.lead_top.lead_flow_buyer_user_id, self.a_top)
