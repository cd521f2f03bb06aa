from odoo.exceptions import AccessDenied
from odoo.tests import tagged

from .common_http import LeadFlowPortalHttpCase


@tagged("post_install", "-at_install")
class TestLeadFlowPortalBuyerUsers(LeadFlowPortalHttpCase):
    def test_admin_invites_a_user(self):
        self.login(self.a_admin)
        self.assertIn("A Plain", self.get("/my/users").text)
        self.assertNotIn("B User", self.get("/my/users").text)
        self.post(
            "/my/users/new",
            {
                "name": "New Seller",
                "email": "new.seller@dealer-a.example",
                "view_downline": "on",
                "parent_id": self.a_top.id,
            },
        )
        user = self.env["res.users"].search([("login", "=", "new.seller@dealer-a.example")])
        self.assertTrue(user.share)
        self.assertEqual(user.commercial_partner_id, self.buyer_a)
        self.assertTrue(user.lead_flow_view_downline)
        self.assertFalse(user.lead_flow_buyer_admin)
        self.assertEqual(user.lead_flow_buyer_parent_id, self.a_top)
        # Odoo's portal invitation prepared the password link it sends.
        self.assertEqual(user.partner_id.signup_type, "signup")
        self.assertTrue(user.partner_id._get_signup_url_for_action()[user.partner_id.id])

    def test_admin_disables_and_enables(self):
        self.login(self.a_admin)
        self.post(f"/my/users/{self.a_plain.id}/update", {})
        self.a_plain.invalidate_recordset()
        self.assertFalse(self.a_plain.active, "an unticked Enabled disables the user")
        self.post(f"/my/users/{self.a_plain.id}/update", {"enabled": "on", "admin": "on"})
        self.a_plain.invalidate_recordset()
        self.assertTrue(self.a_plain.active)
        self.assertTrue(self.a_plain.lead_flow_buyer_admin)
        response = self.post(f"/my/users/{self.a_admin.id}/update", {"admin": "on"})
        self.assertIn("error=", response.headers["Location"])
        self.assertTrue(self.a_admin.active)

    def test_others_cannot_manage_users(self):
        self.login(self.b_admin)
        self.post(
            f"/my/users/{self.a_plain.id}/update", {"enabled": "on", "admin": "on"}, status=404
        )
        self.post(
            f"/my/users/{self.b_user.id}/update",
            {"enabled": "on", "parent_id": self.a_top.id},
            status=404,
        )
        self.login(self.a_top)
        self.get("/my/users", status=404)
        self.post(
            f"/my/users/{self.a_plain.id}/update", {"enabled": "on", "admin": "on"}, status=404
        )
        self.post("/my/users/new", {"name": "X", "email": "x@dealer-a.example"}, status=404)
        self.a_plain.invalidate_recordset()
        self.assertFalse(self.a_plain.lead_flow_buyer_admin)
        self.assertFalse(self.b_user.lead_flow_buyer_parent_id)
        self.assertFalse(self.env["res.users"].search([("login", "=", "x@dealer-a.example")]))

    def test_disabled_user_cannot_log_in(self):
        with self.assertRaises(AccessDenied):
            self.login(self.a_disabled)
        # Disabling ends the sessions already open (Odoo's session token covers active).
        self.login(self.a_plain)
        self.get("/my/leads")
        self.a_plain.active = False
        self.env.flush_all()
        response = self.get("/my/leads", status=303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_new_lead_notification_switch(self):
        self.login(self.a_low)
        self.assertIn("lead_flow_notify", self.get("/my/security").text)
        self.post("/my/leads/notify", {"notify": "on"})
        self.a_low.invalidate_recordset()
        self.assertTrue(self.a_low.lead_flow_new_lead_notify)
        self.post("/my/leads/notify", {})
        self.a_low.invalidate_recordset()
        self.assertFalse(self.a_low.lead_flow_new_lead_notify)
