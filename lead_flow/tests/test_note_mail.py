from odoo.tests import tagged

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestNoteMailRouting(LeadFlowCase):
    """A note e-mailed to somebody answers to the lead's team, bounces to its company's
    domain and is laid out for its company, as any message posted on the lead; a note
    that notifies nobody sends nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create(
            {
                "name": "lf-notes.example.com",
                "bounce_alias": "lf-bounce",
                "catchall_alias": "lf-catchall",
            }
        )
        cls.env.company.alias_domain_id = cls.alias_domain
        cls.team = cls.env["crm.team"].create(
            {
                "name": "LF Phone team",
                "alias_name": "lf-phone-team",
                "alias_domain_id": cls.alias_domain.id,
            }
        )
        cls.lead.team_id = cls.team
        for user in (cls.salesman, cls.manager):
            user.write({"notification_type": "email", "email": f"{user.login}@example.com"})
        # Notification e-mails stay in the outgoing queue, where their headers can be read.
        cls.queued_lead = cls.lead.with_context(mail_notify_force_send=False)

    def mail_of(self, message):
        return self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])

    def reference_post(self, partners):
        """The same note posted through the chatter: what Odoo gives a message here."""
        return self.queued_lead.with_user(self.operator).message_post(
            body="Reference",
            message_type="comment",
            subtype_xmlid="lead_flow.mt_lead_flow_note",
            partner_ids=partners.ids,
        )

    def assertRoutedLikeOdoo(self, message, partners):
        reference = self.reference_post(partners)
        self.assertIn("lf-phone-team@lf-notes.example.com", message.reply_to)
        self.assertEqual(message.reply_to, reference.reply_to)
        self.assertEqual(message.record_alias_domain_id, self.alias_domain)
        self.assertEqual(message.record_company_id, self.lead.company_id or self.env.company)
        self.assertEqual(message.record_company_id, reference.record_company_id)
        mail = self.mail_of(message)
        self.assertEqual(mail.recipient_ids, partners)
        self.assertEqual(mail.reply_to, reference.reply_to)
        self.assertIn("lf-bounce@lf-notes.example.com", mail.headers)

    def test_tagged_user_gets_the_note_by_email_answering_to_the_team(self):
        log = self.log_note(
            self.operator,
            "Customer asks for a call.",
            lead=self.queued_lead,
            partner_ids=self.salesman.partner_id.ids,
        )
        self.assertRoutedLikeOdoo(log.message_id, self.salesman.partner_id)

    def test_follower_of_lead_flow_notes_gets_them_answering_to_the_team(self):
        note_subtype = self.env.ref("lead_flow.mt_lead_flow_note")
        self.lead.message_subscribe(
            partner_ids=self.manager.partner_id.ids, subtype_ids=note_subtype.ids
        )
        log = self.log_note(self.operator, "Wants a quote today.", lead=self.queued_lead)
        self.assertRoutedLikeOdoo(log.message_id, self.manager.partner_id)

    def test_note_for_nobody_sends_nothing(self):
        # The salesman follows the lead, but not its Lead Flow notes (not a default subtype).
        self.lead.message_subscribe(partner_ids=self.salesman.partner_id.ids)
        log = self.log_note(self.operator, "No answer.", lead=self.queued_lead)
        message = log.message_id
        self.assertFalse(message.notification_ids)
        self.assertFalse(self.mail_of(message))
        self.assertEqual(message.author_id, self.operator.partner_id)
        self.assertIn(message, self.lead.message_ids)
