from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_history import HistoryCase


@tagged("post_install", "-at_install")
class TestUndo(HistoryCase):
    def test_author_undoes_entry_kept_counters_drop_chatter_says_who(self):
        log = self.log_note(self.operator, "Wrong lead, sorry.", outcome="negative")
        self.assertEqual(self.lead.lead_flow_log_count, 1)
        self.assertEqual(self.lead.lead_flow_activity_counts()["call"], 1)
        messages_before = self.lead.message_ids

        result = log.with_user(self.operator).action_undo()

        self.assertIs(result, True)
        self.assertTrue(log.exists(), "undone entries stay in the history")
        self.assertTrue(log.undone)
        self.assertEqual(log.undone_by_id, self.operator)
        self.assertTrue(log.undone_at)
        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.lead_flow_log_count, 0)
        self.assertEqual(self.lead.lead_flow_activity_counts()["call"], 0)
        notice = self.lead.message_ids - messages_before
        self.assertEqual(len(notice), 1)
        self.assertIn("Olga Operator undid", notice.body)
        self.assertIn("Wrong lead, sorry.", notice.body)
        self.assertEqual(notice.author_id, self.operator.partner_id)
        self.assertFalse(self.automatic(), "the undo notice is not an automatic entry")

    def test_undoing_latest_note_recomputes_last_contact_and_outcome(self):
        first = self.log_note(self.operator, "Interested.", outcome="positive")
        second = self.log_note(self.operator, "Changed their mind.", outcome="negative")
        self.assertEqual(self.lead.lead_flow_outcome, "negative")
        second.with_user(self.operator).action_undo()
        self.assertEqual(self.lead.lead_flow_outcome, "positive")
        self.assertEqual(self.lead.lead_flow_last_contact_at, first.date)
        first.with_user(self.manager).action_undo()
        self.assertFalse(self.lead.lead_flow_outcome)
        self.assertFalse(self.lead.lead_flow_last_contact_at)

    def test_manager_undoes_anyones_entry(self):
        log = self.log_note(self.operator)
        log.with_user(self.manager).action_undo()
        self.assertEqual(log.undone_by_id, self.manager)

    def test_other_operator_is_refused(self):
        log = self.log_note(self.operator)
        with self.assertRefused(AccessError, "Olga Operator"):
            log.with_user(self.operator_2).action_undo()
        self.assertFalse(log.undone)

    def test_undo_twice_is_refused(self):
        log = self.log_note(self.operator)
        log.with_user(self.operator).action_undo()
        with self.assertRefused(UserError, "already undone"):
            log.with_user(self.operator).action_undo()
        with self.assertRefused(UserError, "already undone"):
            log.with_user(self.manager).action_undo()

    def test_automatic_entries_cannot_be_undone(self):
        self.lead.write({"user_id": self.operator.id})
        self.flush_tracking()
        entry = self.automatic()
        self.assertEqual(len(entry), 1)
        with self.assertRefused(UserError, "cannot be undone"):
            entry.with_user(self.manager).action_undo()
        self.assertFalse(entry.undone)

    def test_undoing_the_note_that_reserved_the_lead_frees_it(self):
        log = self.log_note(self.operator, "Called: wrong lead, sorry.")
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator)
        with self.assertRaises(UserError):  # reserved: a colleague cannot log yet
            self.log_note(self.operator_2, "Called back.")
        log.with_user(self.operator).action_undo()
        self.assertFalse(self.lead.lead_flow_reserved_user_id)
        self.log_note(self.operator_2, "Called back.")
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator_2)

    def test_undo_keeps_a_reservation_the_note_did_not_take(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "lead_flow.queue_domain", f"[('id', '=', {self.lead.id})]"
        )
        self.registry.enter_test_mode(self.cr)  # the claim runs on the test transaction
        self.addCleanup(self.registry.leave_test_mode)
        lead_id = self.env["crm.lead"].with_user(self.operator).lead_flow_claim_next()
        self.assertEqual(lead_id, self.lead.id)
        log = self.log_note(self.operator, "Called after Next lead.")
        log.with_user(self.operator).action_undo()
        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator, "Next lead's")

    def test_undoing_a_later_note_keeps_the_reservation(self):
        first = self.log_note(self.operator, "Called: no answer.")
        later = self.log_note(self.operator, "Called again: call back Monday.")
        later.with_user(self.operator).action_undo()
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator)
        self.assertTrue(first.takes_reservation)
        self.assertFalse(later.takes_reservation)
