from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestLogNote(LeadFlowCase):
    def test_note_lands_in_chatter_history_and_lead(self):
        log = self.log_note(
            self.operator, "Spoke with Anna.\nWants a demo.", template_id=self.tmpl_call_back.id
        )

        self.assertEqual(log.lead_id, self.lead)
        self.assertEqual(log.user_id, self.operator)
        self.assertEqual(log.origin, "manual")
        self.assertEqual(log.body, "Spoke with Anna.\nWants a demo.")
        self.assertEqual(log.type_id, self.env.ref("lead_flow.log_type_call"))
        self.assertEqual(log.template_id, self.tmpl_call_back)
        self.assertEqual(log.outcome, "partial", "the predefined note proposes its outcome")
        self.assertEqual(log.outcome_source, "manual")
        # Chatter: its own subtype, written by the operator, linked from the entry.
        message = log.message_id
        self.assertTrue(message)
        self.assertIn(message, self.lead.message_ids)
        self.assertEqual(message.subtype_id, self.env.ref("lead_flow.mt_lead_flow_note"))
        self.assertEqual(message.author_id, self.operator.partner_id)
        self.assertIn("Wants a demo.", message.body)
        self.assertIn("LF Call back", message.body)
        # The lead shows the result at once.
        self.assertIn(self.tag_call_back, self.lead.tag_ids)
        self.assertEqual(self.lead.lead_flow_state, "in_progress")
        self.assertEqual(self.lead.lead_flow_outcome, "partial")
        self.assertEqual(self.lead.lead_flow_last_contact_at, log.date)
        self.assertEqual(self.lead.lead_flow_log_count, 1)

    def test_note_does_not_make_the_operator_a_follower(self):
        # An operator calls hundreds of leads a day: following each would bring every
        # later e-mail of those leads to their inbox. The chatter's own note does subscribe.
        followers = self.lead.message_partner_ids
        self.log_note(self.operator, "No answer.")
        self.assertNotIn(self.operator.partner_id, self.lead.message_partner_ids)
        self.assertEqual(self.lead.message_partner_ids, followers)
        self.lead.with_user(self.operator).message_post(body="Chatter note", message_type="comment")
        self.assertIn(self.operator.partner_id, self.lead.message_partner_ids)

    def test_explicit_outcome_beats_template_and_no_outcome_stays_unclassified(self):
        log = self.log_note(self.operator, template_id=self.tmpl_call_back.id, outcome="positive")
        self.assertEqual(log.outcome, "positive")
        plain = self.log_note(self.operator, "No answer.")
        self.assertEqual(plain.outcome, "unclassified")
        self.assertFalse(plain.outcome_source, "left for the AI to classify")
        self.assertEqual(self.lead.lead_flow_outcome, "unclassified")

    def test_state_moves_none_in_progress_done_and_closing_again_is_idempotent(self):
        self.assertEqual(self.lead.lead_flow_state, "none")
        self.log_note(self.operator, "First call.")
        self.assertEqual(self.lead.lead_flow_state, "in_progress")
        self.log_note(self.operator, "Second call.")
        self.assertEqual(self.lead.lead_flow_state, "in_progress")
        closing = self.log_note(self.operator, "Signed.", close=True)
        self.assertTrue(closing.closes_lead)
        self.assertEqual(self.lead.lead_flow_state, "done")
        again = self.log_note(self.operator, "Closed once more.", close=True)
        self.assertTrue(again.closes_lead)
        self.assertEqual(self.lead.lead_flow_state, "done")
        self.log_note(self.operator, "Courtesy call after closing.")
        self.assertEqual(self.lead.lead_flow_state, "done", "a later note does not reopen it")
        self.assertEqual(self.lead.lead_flow_log_count, 5)

    def test_template_that_closes_completes_the_lead(self):
        log = self.log_note(
            self.operator, "Not interested.", template_id=self.tmpl_not_interested.id
        )
        self.assertTrue(log.closes_lead)
        self.assertEqual(self.lead.lead_flow_state, "done")
        self.assertEqual(self.lead.lead_flow_outcome, "negative")
        self.assertIn(self.tag_not_interested, self.lead.tag_ids)

    def test_completing_a_lead_ends_its_reservation(self):
        self.log_note(self.operator, "Interested, call back on Monday.")
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator)
        self.log_note(self.operator, "Not interested after all.", close=True)
        self.assertEqual(self.lead.lead_flow_state, "done")
        self.assertFalse(self.lead.lead_flow_reserved_user_id)
        self.assertFalse(self.lead.lead_flow_reserved_at)
        # A colleague adds a note without asking for a release, and reserves nothing.
        self.log_note(self.operator_2, "Courtesy call: confirmed they are not interested.")
        self.assertFalse(self.lead.lead_flow_reserved_user_id)
        self.assertEqual(self.lead.lead_flow_log_count, 3)

    def test_first_note_reserves_and_others_are_refused_by_name(self):
        self.log_note(self.operator, "Mine now.")
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator)
        self.assertTrue(self.lead.lead_flow_reserved_at)
        with self.assertRefused(UserError, "Olga Operator"):
            self.log_note(self.operator_2, "Trying too.")
        # The holder keeps working it.
        self.log_note(self.operator, "Still mine.")

    def test_release_by_holder_or_manager_only(self):
        self.log_note(self.operator, "Mine now.")
        with self.assertRefused(UserError, "Olga Operator"):
            self.lead.with_user(self.operator_2).lead_flow_release()
        self.assertTrue(self.lead.with_user(self.manager).lead_flow_release())
        self.assertFalse(self.lead.lead_flow_reserved_user_id)
        self.log_note(self.operator_2, "Free again, I take it.")
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator_2)
        self.lead.with_user(self.operator_2).lead_flow_release()
        self.assertFalse(self.lead.lead_flow_reserved_user_id)

    def test_operator_without_email_address_can_log(self):
        self.operator.partner_id.email = False
        log = self.log_note(self.operator, "No e-mail on my profile.")
        self.assertEqual(log.message_id.author_id, self.operator.partner_id)


@tagged("post_install", "-at_install")
class TestMergeKeepsHistory(LeadFlowCase):
    def test_merging_leads_keeps_every_entry_on_the_lead_that_stays(self):
        other = self.env["crm.lead"].create(
            {"name": "Lead Flow duplicate", "type": "lead", "email_from": "anna@example.com"}
        )
        first = self.log_note(self.operator, "First call on the original.")
        second = self.log_note(self.operator_2, "Call on the duplicate.", lead=other)
        second.sudo().date = first.date + timedelta(hours=1)
        merged = (self.lead | other).with_user(self.manager).merge_opportunity()
        self.assertEqual(len(merged), 1)
        self.assertTrue((first | second).exists(), "merging deletes no history")
        self.assertEqual((first | second).lead_id, merged)
        self.assertEqual(merged.lead_flow_last_contact_at, second.date)
        self.assertEqual(merged.lead_flow_state, "in_progress")
