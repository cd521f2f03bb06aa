from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import PORTAL, LeadFlowPortalMixin


@tagged("post_install", "-at_install")
class TestLeadFlowPortalSecurity(LeadFlowPortalMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lead_flow_portal_setup()
        Log = cls.env["lead.flow.log"].sudo()
        cls.log_visible = Log.create(
            {"lead_id": cls.lead_top.id, "type_id": cls.visible_type.id, "body": "Shown"}
        )
        cls.log_internal = Log.create(
            {"lead_id": cls.lead_top.id, "type_id": cls.internal_type.id, "body": "Operators only"}
        )
        cls.attachment = cls.env["ir.attachment"].create(
            {
                "name": "offer.txt",
                "raw": b"offer",
                "res_model": "crm.lead",
                "res_id": cls.lead_top.id,
            }
        )

    def visible(self, user, model="crm.lead"):
        return self.env[model].with_user(user).with_context(active_test=False).search([])

    def test_lead_rule_per_user(self):
        expected = {
            self.a_admin: self.leads_a,
            self.a_top: self.lead_top | self.lead_mid | self.lead_low,
            self.a_mid: self.lead_mid | self.lead_low,
            self.a_low: self.lead_low,
            self.a_plain: self.lead_plain,
            self.b_admin: self.lead_b,
            self.b_user: self.lead_b,
        }
        for user, leads in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(self.visible(user), leads)

    def test_cross_access_raises(self):
        for user, lead in [
            (self.b_admin, self.lead_top),
            (self.a_admin, self.lead_b),
            (self.a_low, self.lead_mid),
            (self.a_plain, self.lead_top),
            (self.a_mid, self.lead_top),
            (self.a_top, self.lead_free),
        ]:
            with self.subTest(user=user.login, lead=lead.name), self.assertRaises(AccessError):
                lead.with_user(user).read(["name"])

    def test_disabled_user_and_non_buyer_read_nothing(self):
        self.assertFalse(self.a_disabled.with_user(self.a_disabled)._lead_flow_buyer())
        with self.assertRaises(AccessError):
            self.lead_disabled.with_user(self.a_disabled)._lead_flow_portal_check()
        stranger = new_test_user(self.env, "lfp_stranger", groups=PORTAL)
        self.assertFalse(self.visible(stranger))
        self.buyer_a.lead_flow_is_buyer = False
        self.assertFalse(self.visible(self.a_admin), "a company that is no buyer reads nothing")

    def test_portal_users_only_read(self):
        with self.assertRaises(AccessError):
            self.lead_top.with_user(self.a_top).write({"name": "Hacked"})
        with self.assertRaises(AccessError):
            self.env["lead.flow.log"].with_user(self.a_top).create(
                {"lead_id": self.lead_top.id, "type_id": self.visible_type.id, "body": "x"}
            )
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(self.a_admin).create({"name": "Mine"})
        self.assertEqual(self.lead_top.name, "LFP lead Top")

    def test_downline_follows_reports_to(self):
        self.a_mid.lead_flow_buyer_parent_id = False
        self.assertEqual(self.visible(self.a_top), self.lead_top)
        self.a_low.lead_flow_buyer_parent_id = self.a_top
        self.assertEqual(self.visible(self.a_top), self.lead_top | self.lead_low)
        self.a_top.lead_flow_view_downline = False
        self.assertEqual(self.visible(self.a_top), self.lead_top)

    def test_log_entries_visible_to_buyers_only(self):
        self.assertEqual(
            self.visible(self.a_top, "lead.flow.log").filtered(
                lambda log: log.lead_id == self.lead_top
            ),
            self.log_visible,
        )
        self.assertIn(self.log_internal, self.env["lead.flow.log"].search([]))
        for user in (self.b_admin, self.a_low, self.a_plain):
            with self.subTest(user=user.login):
                self.assertNotIn(self.log_visible, self.visible(user, "lead.flow.log"))
        with self.assertRaises(AccessError):
            self.log_internal.with_user(self.a_top).read(["body"])

    def test_returns_follow_the_lead(self):
        self.lead_top.with_user(self.a_top).lead_flow_portal_return(self.reason.id, "Wrong")
        ret = self.lead_top.lead_flow_return_ids
        self.assertEqual(ret.user_id, self.a_top)
        self.assertEqual(self.visible(self.a_admin, "lead.flow.return"), ret)
        self.assertEqual(self.visible(self.a_top, "lead.flow.return"), ret)
        for user in (self.b_admin, self.a_low, self.a_plain):
            with self.subTest(user=user.login):
                self.assertFalse(self.visible(user, "lead.flow.return"))

    def test_attachments_only_through_the_lead(self):
        # Portal users have no access to ir.attachment: a lead's files are served by
        # /my/leads/<id>/files/<id> to whoever reads the lead (_lead_flow_portal_attachments).
        for user in (self.a_top, self.b_admin, self.a_low):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.attachment.with_user(user).read(["datas"])
        self.assertEqual(
            self.lead_top.with_user(self.a_top)._lead_flow_portal_attachments(), self.attachment
        )
        self.assertEqual(
            self.lead_top.with_user(self.a_admin)._lead_flow_portal_attachments(), self.attachment
        )
        for user in (self.b_admin, self.a_low, self.a_plain):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.lead_top.with_user(user)._lead_flow_portal_attachments()
        with self.assertRaises(AccessError):
            self.lead_top.with_user(self.b_admin).lead_flow_portal_attach("x.txt", b"x")
        self.assertEqual(self.lead_top.sudo().message_attachment_count, 1)

    def test_checked_methods_refuse_other_leads(self):
        calls = [
            lambda lead: lead.lead_flow_portal_return(self.reason.id),
            lambda lead: lead.lead_flow_portal_appointment(
                self.b_user.id, "2030-01-01 10:00:00", "2030-01-01 11:00:00", "Visit"
            ),
            lambda lead: lead.lead_flow_portal_email("Hello"),
            lambda lead: lead.lead_flow_portal_forward("x@example.com"),
            lambda lead: lead.lead_flow_portal_attach("x.txt", b"x"),
            lambda lead: lead.lead_flow_portal_assign(self.b_user.id),
            lambda lead: lead._lead_flow_portal_csv(),
        ]
        for call in calls:
            with self.assertRaises(AccessError):
                call(self.lead_top.with_user(self.b_admin))
        self.assertFalse(self.lead_top.lead_flow_return_ids)
        self.assertFalse(
            self.env["calendar.event"].search([("opportunity_id", "=", self.lead_top.id)])
        )
        self.assertEqual(self.lead_top.lead_flow_buyer_user_id, self.a_top)

    def test_admin_assigns_within_the_buyer_only(self):
        self.lead_a_none.with_user(self.a_admin).lead_flow_portal_assign(self.a_plain.id)
        self.assertEqual(self.lead_a_none.lead_flow_buyer_user_id, self.a_plain)
        with self.assertRaises(AccessError):
            self.lead_plain.with_user(self.a_plain).lead_flow_portal_assign(self.a_top.id)
        with self.assertRaises(ValidationError):
            self.lead_a_none.with_user(self.a_admin).lead_flow_portal_assign(self.b_user.id)
        self.assertEqual(self.lead_a_none.lead_flow_buyer_user_id, self.a_plain)
