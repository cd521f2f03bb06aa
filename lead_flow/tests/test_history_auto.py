from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_history import HistoryCase


@tagged("post_install", "-at_install")
class TestHistoryAutomatic(HistoryCase):
    def assertOneEntry(self, code, message_expected=True):
        entries = self.automatic()
        self.assertEqual(
            len(entries), 1, f"exactly one entry, got {entries.mapped('type_id.code')}"
        )
        self.assertEqual(entries.type_id.code, code)
        self.assertEqual(entries.origin, "automatic")
        if message_expected:
            self.assertTrue(entries.message_id, "the entry links to its chatter message")
            self.assertEqual(entries.message_id.res_id, self.lead.id)
        return entries

    def test_stage_change(self):
        stage = self.env["crm.stage"].create({"name": "LF Qualified", "sequence": 50})
        self.lead.with_user(self.operator).write({"stage_id": stage.id})
        self.flush_tracking()
        entry = self.assertOneEntry("stage")
        self.assertIn("LF Qualified", entry.body)
        self.assertEqual(entry.user_id, self.operator)
        self.assertEqual(entry.type_category, "status")
        self.assertIn(entry.message_id, self.lead.message_ids)

    def test_salesperson_change(self):
        self.lead.write({"user_id": self.operator_2.id})
        self.flush_tracking()
        entry = self.assertOneEntry("user")
        self.assertIn("Otto Operator", entry.body)

    def test_mass_assignment_is_recorded_in_one_batch(self):
        """Tracking posts one message per lead; their entries cost the same few queries
        however many leads changed (Odoo's own crm query-count tests stay as they are)."""

        def assign(count, auto_log=True):
            leads = self.env["crm.lead"].create(
                [{"name": f"LF batch {i}", "user_id": False} for i in range(count)]
            )
            self.flush_tracking()
            leads = leads.with_context(lead_flow_no_auto_log=not auto_log)
            leads.write({"user_id": self.operator_2.id})
            self.env.flush_all()
            queries = self.cr.sql_log_count
            self.flush_tracking()
            return leads, self.cr.sql_log_count - queries

        assign(2), assign(2, auto_log=False)  # warm the caches
        few, with_few = assign(2)
        without_few = assign(2, auto_log=False)[1]
        many, with_many = assign(8)
        without_many = assign(8, auto_log=False)[1]
        for lead in few | many:
            entry = self.entries("user", lead=lead)
            self.assertEqual(len(entry), 1)
            self.assertEqual(entry.message_id.res_id, lead.id)
            self.assertIn("Otto Operator", entry.body)
        self.assertEqual(with_many - without_many, with_few - without_few, "no query per lead")

    def test_tags_change(self):
        self.lead.write({"tag_ids": [(4, self.tag_call_back.id)]})
        self.flush_tracking()
        entry = self.assertOneEntry("tag")
        self.assertIn("LF Call back", entry.body)

    def test_won_is_one_entry_not_a_stage_change_too(self):
        self.lead.action_set_won()
        self.flush_tracking()
        self.assertOneEntry("won")

    def test_lost(self):
        reason = self.env["crm.lost.reason"].create({"name": "LF Too expensive"})
        self.lead.action_set_lost(lost_reason_id=reason.id)
        self.flush_tracking()
        self.assertOneEntry("lost")

    def test_email_sent(self):
        message = self.lead.with_user(self.salesman).message_post(
            body="Here is our offer.",
            subject="Offer",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        entry = self.assertOneEntry("email_out")
        self.assertEqual(entry.message_id, message)
        self.assertEqual(entry.user_id, self.salesman)
        self.assertEqual(entry.type_category, "correspondence")

    def test_email_received(self):
        message = self.lead.message_post(
            body="I am interested.",
            subject="Re: Offer",
            message_type="email",
            subtype_xmlid="mail.mt_comment",
            email_from="anna@example.com",
        )
        entry = self.assertOneEntry("email_in")
        self.assertEqual(entry.message_id, message)

    def test_sms_sent(self):
        message_types = dict(self.env["mail.message"]._fields["message_type"].selection)
        self.assertIn("sms", message_types, "tools/test.sh installs sms for this test")
        self.lead.message_post(body="See you at 10.", message_type="sms")
        self.assertOneEntry("sms_out")

    def test_internal_note_and_lead_flow_note_log_nothing_automatic(self):
        self.lead.message_post(body="Just a note.", subtype_xmlid="mail.mt_note")
        log = self.log_note(self.operator, "Called.", outcome="positive")
        self.flush_tracking()
        self.assertFalse(self.automatic(), "no extra automatic entry for a note")
        self.assertEqual(self.entries(), log)

    def test_attachment_added_and_removed(self):
        attachment = self.env["ir.attachment"].create(
            {"name": "offer.pdf", "raw": b"%PDF", "res_model": "crm.lead", "res_id": self.lead.id}
        )
        entry = self.assertOneEntry("attachment", message_expected=False)
        self.assertEqual(entry.attachment_id, attachment)
        self.assertIn("offer.pdf", entry.body)
        self.assertEqual(entry.type_category, "document")
        attachment.unlink()
        removed = self.automatic() - entry
        self.assertEqual(len(removed), 1)
        self.assertIn("removed", removed.body)
        self.assertFalse(removed.attachment_id)

    def test_activity_done(self):
        activity = self.lead.activity_schedule(
            "mail.mail_activity_data_call", summary="Call Anna", user_id=self.operator.id
        )
        activity_type = activity.activity_type_id
        activity.with_user(self.operator).action_feedback(feedback="Done, she agreed.")
        entry = self.assertOneEntry("activity")
        self.assertEqual(entry.type_category, "task")
        self.assertEqual(entry.user_id, self.operator)
        self.assertEqual(entry.message_id.mail_activity_type_id, activity_type)

    def test_automatic_entries_need_no_comment(self):
        # The body constraint is for manual entries only.
        self.env["lead.flow.log"].sudo().create(
            {
                "lead_id": self.lead.id,
                "type_id": self.env.ref("lead_flow.log_type_auto_stage").id,
                "origin": "automatic",
            }
        )

    def test_operators_cannot_create_automatic_entries(self):
        with self.assertRefused(AccessError, "cannot be created directly"):
            self.env["lead.flow.log"].with_user(self.manager).create(
                {
                    "lead_id": self.lead.id,
                    "type_id": self.env.ref("lead_flow.log_type_auto_stage").id,
                    "origin": "automatic",
                }
            )
