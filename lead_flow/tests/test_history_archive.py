from unittest.mock import patch

from odoo.addons.lead_flow.models import mail_thread as mail_thread_module
from odoo.tests import tagged

from .common_history import HistoryCase

MAIL = """Return-Path: <boss@customer.example>
To: {to}
From: Boss <boss@customer.example>
Subject: {subject}
Date: Fri, 10 Aug 2012 14:16:26 +0000
Message-ID: <{msg_id}@customer.example>
In-Reply-To: {in_reply_to}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

We accept your offer for the spring campaign.
"""


@tagged("post_install", "-at_install")
class TestArchiveAddress(HistoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.company.alias_domain_id:
            cls.env.company.alias_domain_id = cls.env["mail.alias.domain"].create(
                {"name": "lf-test.example.com"}
            )
        cls.other_lead = cls.env["crm.lead"].create({"name": "Other lead"})
        cls.domain = cls.env.company.alias_domain_id.name

    def process(self, to, subject="Forwarded: offer", msg_id="lf-1", in_reply_to=""):
        mail = MAIL.format(to=to, subject=subject, msg_id=msg_id, in_reply_to=in_reply_to)
        return self.env["mail.thread"].sudo().message_process(None, mail)

    def test_each_lead_shows_its_address(self):
        self.assertEqual(
            self.lead.lead_flow_archive_email, f"lead-archive+{self.lead.id}@{self.domain}"
        )

    def test_forwarded_mail_lands_in_the_right_lead_history(self):
        leads_before = self.env["crm.lead"].search_count([])
        thread_id = self.process(self.lead.lead_flow_archive_email)
        self.assertEqual(thread_id, self.lead.id)
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before, "no new lead")
        message = self.lead.message_ids[0]
        self.assertEqual(message.subject, "Forwarded: offer")
        self.assertIn("We accept your offer", message.body)
        entry = self.automatic()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.type_id.code, "email_in")
        self.assertEqual(entry.type_category, "correspondence")
        self.assertEqual(entry.message_id, message)
        self.assertFalse(self.automatic(self.other_lead))

    def test_archive_address_wins_over_reply_headers(self):
        other_message = self.other_lead.message_post(body="x", message_type="comment")
        self.process(
            f"lead-archive+{self.lead.id}@{self.domain}",
            msg_id="lf-2",
            in_reply_to=other_message.message_id,
        )
        self.assertEqual(len(self.automatic().filtered(lambda e: e.type_id.code == "email_in")), 1)

    def test_unknown_lead_code_is_ignored_with_a_log_line(self):
        leads_before = self.env["crm.lead"].search_count([])
        for code in ("999999999", "abc"):
            with patch.object(mail_thread_module._logger, "info") as log_info:
                result = self.process(f"lead-archive+{code}@{self.domain}", msg_id=f"lf-{code}")
            self.assertFalse(result)
            log_info.assert_called_once()
            self.assertIn("no lead", log_info.call_args.args[0])
            self.assertEqual(log_info.call_args.args[-1], code)
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before)
        self.assertFalse(self.automatic())
