import itertools
import re
from unittest.mock import patch

from odoo.addons.lead_flow.models import mail_thread as mail_thread_module
from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import email_normalize

from .common_history import HistoryCase

MAIL = """Return-Path: <{sender}>
To: {to}
From: Someone <{sender}>
Subject: {subject}
Date: Fri, 10 Aug 2012 14:16:26 +0000
Message-ID: <{msg_id}@customer.example>
In-Reply-To: {in_reply_to}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="lf-boundary"

--lf-boundary
Content-Type: text/plain; charset=utf-8

We accept your offer for the spring campaign.
--lf-boundary
Content-Type: text/plain; charset=utf-8
Content-Disposition: attachment; filename="order.txt"

Order: 12 units.
--lf-boundary--
"""

TOKEN = re.compile(r"^[0-9a-f]{24}$")
MESSAGE_IDS = itertools.count()


class ArchiveCase(HistoryCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.company.alias_domain_id:
            cls.env.company.alias_domain_id = cls.env["mail.alias.domain"].create(
                {"name": "lf-test.example.com"}
            )
        cls.domain = cls.env.company.alias_domain_id.name
        Partner = cls.env["res.partner"]
        # self.lead: e-mail anna@example.com, no customer. customer_lead: a contact of
        # Customer Inc. other_lead: a contact of another company.
        cls.customer = Partner.create(
            {"name": "Customer Inc", "is_company": True, "email": "info@customer.example"}
        )
        cls.boss = Partner.create(
            {"name": "Boss", "parent_id": cls.customer.id, "email": "boss@customer.example"}
        )
        cls.colleague = Partner.create(
            {"name": "Colleague", "parent_id": cls.customer.id, "email": "kim@customer.example"}
        )
        cls.rival = Partner.create({"name": "Rival", "email": "rival@other.example"})
        cls.follower = Partner.create({"name": "Follower", "email": "fred@partner.example"})
        cls.customer_lead = cls.env["crm.lead"].create(
            {"name": "Customer lead", "partner_id": cls.boss.id}
        )
        cls.other_lead = cls.env["crm.lead"].create(
            {"name": "Other lead", "partner_id": cls.rival.id}
        )
        cls.lead.message_subscribe(partner_ids=cls.follower.ids)
        cls.portal_user = new_test_user(
            cls.env, "lf_portal", groups="base.group_portal", email="pat@portal.example"
        )
        # new_test_user gives every lf_* user the same generated e-mail: one of our own.
        cls.internal_user = new_test_user(
            cls.env, "lf_archivist", groups="base.group_user", email="ivy@our-company.example"
        )
        cls.internal_email = cls.internal_user.email_normalized

    def set_policy(self, policy):
        self.env["ir.config_parameter"].sudo().set_param("lead_flow.archive_contact", policy)

    def process(self, to, sender=None, subject="Forwarded: offer", msg_id=None, in_reply_to=""):
        mail = MAIL.format(
            to=to,
            sender=sender or self.internal_email,
            subject=subject,
            msg_id=msg_id or f"lf-archive-{next(MESSAGE_IDS)}",
            in_reply_to=in_reply_to,
        )
        return self.env["mail.thread"].sudo().message_process(None, mail)

    def footprint(self, lead):
        """What a mail may leave on a lead: messages, history entries, attachments."""
        lead.invalidate_recordset()
        return (
            len(lead.message_ids),
            self.env["lead.flow.log"].search_count([("lead_id", "=", lead.id)]),
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
            ),
        )

    def assertFiled(self, sender, lead=None):
        lead = lead or self.lead
        before = self.entries("email_in", lead=lead)
        with self.mock_mail_gateway():
            thread_id = self.process(lead.lead_flow_archive_email, sender=sender)
        self.assertEqual(thread_id, lead.id, f"mail from {sender} must be filed")
        self.assertEqual(len(self.entries("email_in", lead=lead) - before), 1)
        self.assertEqual(lead.message_ids[0].subject, "Forwarded: offer")
        bounces = self._new_mails.filtered(lambda mail: mail.email_to and sender in mail.email_to)
        self.assertFalse(bounces, "no bounce")

    def assertBounced(self, sender, lead=None):
        lead = lead or self.lead
        before = self.footprint(lead)
        with self.mock_mail_gateway():
            result = self.process(lead.lead_flow_archive_email, sender=sender)
        self.assertFalse(result, f"mail from {sender} must not be filed")
        self.assertEqual(self.footprint(lead), before, "nothing may land on the lead")
        # Odoo's gateway bounce: one mail.mail back to the sender's Return-Path, sent.
        self.assertEqual(len(self._new_mails), 1, "one bounce")
        bounce = self._new_mails
        self.assertEqual(email_normalize(bounce.email_to), sender)
        self.assertEqual(bounce.subject, "Re: Forwarded: offer")
        self.assertIn("you may not file e-mail there", bounce.body_html)
        self.assertIn(lead.lead_flow_archive_email, bounce.body_html)
        self.assertIn("We accept your offer", bounce.body_html, "the refused mail is quoted")
        self.assertIn("-loop-detection-bounce-email@", bounce.references)
        self.assertEqual(
            [[email_normalize(to) for to in m["email_to"]] for m in self._mails], [[sender]], "sent"
        )


@tagged("post_install", "-at_install")
class TestArchiveAddress(ArchiveCase):
    def test_each_lead_shows_its_address(self):
        token = self.lead.lead_flow_archive_token
        self.assertRegex(token, TOKEN)
        self.assertEqual(self.lead.lead_flow_archive_email, f"lead-archive+{token}@{self.domain}")
        # The form keeps showing it while the lead is edited (onchange: a new-id record).
        edited = self.env["crm.lead"].new({"name": "Edited"}, origin=self.lead)
        self.assertEqual(edited.lead_flow_archive_email, self.lead.lead_flow_archive_email)
        self.assertFalse(self.env["crm.lead"].new({"name": "Unsaved"}).lead_flow_archive_email)

    def test_token_is_random_per_lead_and_not_the_id(self):
        leads = self.env["crm.lead"].create([{"name": f"Lead {i}"} for i in range(20)])
        leads |= self.lead.copy()
        tokens = leads.mapped("lead_flow_archive_token")
        self.assertTrue(all(TOKEN.match(token) for token in tokens))
        self.assertEqual(len(set(tokens + [self.lead.lead_flow_archive_token])), len(leads) + 1)
        # Consecutive ids, unrelated tokens: they do not even share their first characters.
        self.assertGreater(len({token[:3] for token in tokens}), len(tokens) // 2)

    def test_users_cannot_set_the_token(self):
        with self.assertRaises(AccessError):
            self.lead.with_user(self.manager).write({"lead_flow_archive_token": "0" * 24})
        lead = (
            self.env["crm.lead"]
            .with_user(self.manager)
            .create({"name": "Chosen token", "lead_flow_archive_token": "1" * 24})
        )
        self.assertNotEqual(lead.lead_flow_archive_token, "1" * 24)
        self.assertRegex(lead.lead_flow_archive_token, TOKEN)

    def test_leads_without_token_get_one_in_batch_and_when_shown(self):
        leads = self.env["crm.lead"].create([{"name": "Bulk 1"}, {"name": "Bulk 2"}])
        self.env.flush_all()
        null_tokens = "UPDATE crm_lead SET lead_flow_archive_token = NULL WHERE id IN %s"
        self.env.cr.execute(null_tokens, [tuple(leads.ids)])
        self.env.invalidate_all()
        self.env["crm.lead"]._lead_flow_fill_archive_tokens()  # what init() runs at upgrade
        self.assertTrue(
            all(TOKEN.match(token) for token in leads.mapped("lead_flow_archive_token"))
        )
        self.assertNotEqual(*leads.mapped("lead_flow_archive_token"))
        self.env.cr.execute(null_tokens, [tuple(self.other_lead.ids)])
        self.env.invalidate_all()
        # A lead inserted in SQL after the upgrade gets its token when first shown.
        self.assertFalse(self.other_lead.lead_flow_archive_token)
        token = self.other_lead.lead_flow_archive_email.split("+")[1].split("@")[0]
        self.assertRegex(token, TOKEN)
        self.assertEqual(self.other_lead.lead_flow_archive_token, token)

    def test_forwarded_mail_lands_in_the_right_lead_history(self):
        leads_before = self.env["crm.lead"].search_count([])
        thread_id = self.process(self.lead.lead_flow_archive_email)
        self.assertEqual(thread_id, self.lead.id)
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before, "no new lead")
        message = self.lead.message_ids[0]
        self.assertEqual(message.subject, "Forwarded: offer")
        self.assertIn("We accept your offer", message.body)
        self.assertEqual(message.attachment_ids.mapped("name"), ["order.txt"])
        entries = self.automatic()
        email_in = entries.filtered(lambda e: e.type_id.code == "email_in")
        self.assertEqual(len(email_in), 1)
        self.assertEqual(email_in.type_category, "correspondence")
        self.assertEqual(email_in.message_id, message)
        self.assertFalse(self.automatic(self.other_lead))

    def test_address_is_case_insensitive(self):
        thread_id = self.process(self.lead.lead_flow_archive_email.upper())
        self.assertEqual(thread_id, self.lead.id)

    def test_archive_address_wins_over_reply_headers(self):
        other_message = self.other_lead.message_post(body="x", message_type="comment")
        self.process(
            self.lead.lead_flow_archive_email, msg_id="lf-2", in_reply_to=other_message.message_id
        )
        self.assertEqual(len(self.automatic().filtered(lambda e: e.type_id.code == "email_in")), 1)

    def test_old_id_address_no_longer_files(self):
        """An archive address of no lead is an address like any other for Odoo: no route
        (the mail gateway logs it and leaves the mail), and nothing lands anywhere."""
        before = self.footprint(self.lead)
        leads_before = self.env["crm.lead"].search_count([])
        for code in (str(self.lead.id), "999999999", "abc"):
            with (
                self.subTest(code=code),
                patch.object(mail_thread_module._logger, "info") as log_info,
                self.mock_mail_gateway(),
                self.assertRaisesRegex(ValueError, "No possible route"),
            ):
                self.process(f"lead-archive+{code}@{self.domain}", msg_id=f"lf-{code}")
            log_info.assert_called_once()
            self.assertIn("no lead has archive code", log_info.call_args.args[0])
            self.assertEqual(log_info.call_args.args[-1], code)
            self.assertFalse(self._new_mails, "Odoo bounces an unknown address only with catchall")
        self.assertEqual(self.footprint(self.lead), before)
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before)

    def test_old_id_address_with_the_catchall_is_bounced_by_odoo(self):
        catchall = self.env.company.alias_domain_id.catchall_email
        before = self.footprint(self.lead)
        with self.mock_mail_gateway():
            result = self.process(f"lead-archive+{self.lead.id}@{self.domain}, {catchall}")
        self.assertFalse(result)
        self.assertEqual(self.footprint(self.lead), before)
        self.assertEqual(len(self._new_mails), 1)
        self.assertEqual(email_normalize(self._new_mails.email_to), self.internal_email)

    def test_settings_store_the_policy(self):
        ICP = self.env["ir.config_parameter"].sudo()
        ICP.search([("key", "=", "lead_flow.archive_contact")]).unlink()
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.lead_flow_archive_contact, "followers")
        settings.lead_flow_archive_contact = "employees"
        settings.execute()
        self.assertEqual(ICP.get_param("lead_flow.archive_contact"), "employees")
        self.assertEqual(self.env["crm.lead"]._lead_flow_archive_contact(), "employees")


@tagged("post_install", "-at_install")
class TestArchiveContactPolicy(ArchiveCase):
    def test_default_is_internal_users_and_the_leads_contacts_and_followers(self):
        self.assertEqual(self.env["crm.lead"]._lead_flow_archive_contact(), "followers")

    def test_internal_users_only(self):
        self.set_policy("employees")
        self.assertBounced("stranger@outside.example")
        self.assertBounced("anna@example.com")  # the lead's own e-mail
        self.assertBounced(self.follower.email)
        self.assertBounced(self.portal_user.email)
        self.assertFiled(self.internal_email)

    def test_internal_users_and_the_leads_contacts_and_followers(self):
        self.set_policy("followers")
        self.assertBounced("stranger@outside.example")
        self.assertBounced(self.rival.email)  # the contact of another lead
        self.assertBounced(self.portal_user.email)
        self.assertBounced(self.boss.email)  # a contact of customer_lead, not of this lead
        self.assertFiled(self.internal_email)
        self.assertFiled("anna@example.com")  # the lead's e-mail
        self.assertFiled(self.follower.email)

    def test_the_customer_and_its_company_contacts(self):
        self.set_policy("followers")
        self.assertBounced(self.rival.email, lead=self.customer_lead)
        self.assertFiled(self.boss.email, lead=self.customer_lead)
        self.assertFiled(self.colleague.email, lead=self.customer_lead)
        self.assertFiled(self.customer.email, lead=self.customer_lead)

    def test_portal_user_following_the_lead_may_file(self):
        self.set_policy("followers")
        self.lead.message_subscribe(partner_ids=self.portal_user.partner_id.ids)
        self.assertFiled(self.portal_user.email)

    def test_archived_internal_user_is_refused(self):
        self.set_policy("employees")
        self.internal_user.active = False
        self.assertBounced(self.internal_email)

    def test_everyone(self):
        self.set_policy("everyone")
        self.assertFiled("stranger@outside.example")
        self.assertFiled(self.portal_user.email)
