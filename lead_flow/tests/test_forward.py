from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import OPERATOR, LeadFlowCase

FORWARD_VIEW = "lead_flow.mail_compose_message_view_form_lead_flow_forward"


@tagged("post_install", "-at_install")
class TestForward(LeadFlowCase, MockEmail):
    """Forward: Odoo's composer with the lead summary, as an internal note to the chosen
    recipients only, logged as an e-mail sent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead.write({"contact_name": "Anna Smith", "user_id": cls.salesman.id})
        cls.follower = cls.env["res.partner"].create(
            {"name": "Fiona Follower", "email": "fiona@example.com"}
        )
        cls.lead.message_subscribe(partner_ids=cls.follower.ids)
        cls.recipient = cls.env["res.partner"].create(
            {"name": "Rex Recipient", "email": "rex@example.com"}
        )

    def email_out_entries(self):
        return self.env["lead.flow.log"].search(
            [("lead_id", "=", self.lead.id), ("type_id.code", "=", "email_out")]
        )

    def forward(self, user, partners):
        action = self.lead.with_user(user).action_lead_flow_forward()
        self.assertEqual(action["res_model"], "mail.compose.message")
        Composer = (
            self.env["mail.compose.message"].with_user(user).with_context(**action["context"])
        )
        with Form(Composer, view=FORWARD_VIEW) as composer:
            for partner in partners:
                composer.partner_ids.add(partner)
        with self.mock_mail_gateway():
            composer.record.action_send_mail()
        return self.lead.message_ids[0]

    def test_forward_mails_the_recipient_only_and_logs_it(self):
        self.log_note(self.operator, "Wants a demo next week.")
        followers_before = self.lead.message_partner_ids
        self.assertIn(self.follower, followers_before)
        message = self.forward(self.operator, self.recipient)

        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"), "an internal note")
        self.assertEqual(message.partner_ids, self.recipient)
        self.assertIn("Anna Smith", message.body)
        self.assertIn("Wants a demo next week.", message.body)  # last notes
        self.assertIn(f"/odoo/crm/{self.lead.id}", message.body)
        self.assertEqual(message.subject, "Lead: Lead Flow test lead")

        mailed = self._new_mails.mapped("recipient_ids")
        self.assertIn(self.recipient, mailed, "the recipient gets a mail.mail")
        self.assertNotIn(self.follower, mailed, "followers are not e-mailed")
        self.assertNotIn(self.salesman.partner_id, mailed)
        self.assertEqual(self.lead.message_partner_ids, followers_before, "no new follower")

        entry = self.email_out_entries()
        self.assertEqual(len(entry), 1)
        self.assertIn("rex@example.com", entry.body)
        self.assertIn("Lead: Lead Flow test lead", entry.body)
        self.assertEqual((entry.origin, entry.user_id), ("automatic", self.operator))
        self.assertEqual(entry.message_id, message)

    def test_any_address_becomes_a_recipient(self):
        # The composer's recipient field makes a contact of a typed address.
        partner = (
            self.env["res.partner"].with_user(self.operator).find_or_create("new.buyer@example.org")
        )
        self.forward(self.operator, partner)
        self.assertIn("new.buyer@example.org", self.email_out_entries().body)

    def test_internal_notes_log_nothing(self):
        # A note mentioning a colleague stays an internal note: no "e-mail sent".
        self.lead.with_user(self.operator).message_post(
            body="FYI", subtype_xmlid="mail.mt_note", partner_ids=self.operator_2.partner_id.ids
        )
        self.lead.with_user(self.operator).message_post(
            body="Plain note", subtype_xmlid="mail.mt_note"
        )
        self.assertFalse(self.email_out_entries())

    def test_forward_needs_write_access_to_the_lead(self):
        own_operator = new_test_user(
            self.env, "lf_fwd_own", groups=f"base.group_user,{OPERATOR}", name="Owen Own"
        )
        with self.assertRaises(AccessError):
            self.lead.with_user(own_operator).action_lead_flow_forward()
