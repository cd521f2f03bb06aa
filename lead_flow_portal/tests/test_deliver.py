from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import LeadFlowPortalMixin


@tagged("post_install", "-at_install")
class TestLeadFlowDeliver(LeadFlowPortalMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lead_flow_portal_setup()

    def sent_to(self, lead):
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "crm.lead"),
                    ("res_id", "=", lead.id),
                    ("subject", "like", "New lead"),
                ]
            )
        )
        return mails.recipient_ids

    def test_deliver_sets_buyer_and_notifies_readers(self):
        (self.a_admin | self.a_top | self.a_mid | self.a_plain).write(
            {"lead_flow_new_lead_notify": True}
        )
        lead = self.env["crm.lead"].create({"name": "LFP delivered", "type": "lead"})
        self.assertIs(lead.lead_flow_deliver(self.buyer_a.id, self.a_low.id), True)
        self.assertEqual(lead.lead_flow_buyer_id, self.buyer_a)
        self.assertEqual(lead.lead_flow_buyer_user_id, self.a_low)
        self.assertTrue(lead.lead_flow_delivered_at)
        # The admin and the upline with View downline read it; the plain user does not,
        # and the assignee did not ask for mail.
        self.assertEqual(self.sent_to(lead), (self.a_admin | self.a_top | self.a_mid).partner_id)

    def test_deliver_checks_buyer_and_user(self):
        with self.assertRaises(ValidationError):
            self.lead_free.lead_flow_deliver(self.a_admin.partner_id.id)  # not a buyer
        with self.assertRaises(ValidationError):
            self.lead_free.lead_flow_deliver(self.buyer_a.id, self.b_user.id)
        self.a_disabled.invalidate_recordset()
        with self.assertRaises(ValidationError):
            self.lead_free.lead_flow_deliver(self.buyer_a.id, self.a_disabled.id)
        self.assertFalse(self.lead_free.lead_flow_buyer_id)
        with self.assertRaises(ValidationError):
            self.lead_free.write(
                {"lead_flow_buyer_id": self.buyer_a.id, "lead_flow_buyer_user_id": self.b_user.id}
            )

    def test_deliver_needs_write_access(self):
        with self.assertRaises(AccessError):
            self.lead_free.with_user(self.a_admin).lead_flow_deliver(self.buyer_a.id)
        reader = new_test_user(self.env, "lfp_reader", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.lead_free.with_user(reader).lead_flow_deliver(self.buyer_a.id)
        self.assertFalse(self.lead_free.lead_flow_buyer_id)

    def test_deliver_wizard(self):
        wizard = (
            self.env["lead.flow.deliver.wizard"]
            .with_context(active_model="crm.lead", active_ids=self.lead_free.ids)
            .create({"buyer_id": self.buyer_b.id, "user_id": self.b_user.id})
        )
        wizard.action_deliver()
        self.assertEqual(self.lead_free.lead_flow_buyer_user_id, self.b_user)
        self.assertIn(self.lead_free, self.env["crm.lead"].with_user(self.b_user).search([]))

    def test_buyer_must_be_a_company(self):
        with self.assertRaises(ValidationError):
            self.a_top.partner_id.lead_flow_is_buyer = True

    def test_reports_to_same_buyer_no_cycle(self):
        with self.assertRaises(ValidationError):
            self.a_top.lead_flow_buyer_parent_id = self.a_low
        with self.assertRaises(ValidationError):
            self.a_top.lead_flow_buyer_parent_id = self.b_admin
