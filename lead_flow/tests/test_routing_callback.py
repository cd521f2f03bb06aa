from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common_routing import RoutingCase


@tagged("post_install", "-at_install")
class TestCallbacks(RoutingCase):
    def test_callback_in_the_past_or_beyond_a_year_is_refused(self):
        lead = self.leads[0]
        self.lead = lead  # assertRefused checks this lead is untouched
        now = fields.Datetime.now()
        with self.assertRefused(ValidationError, "in the future"):
            lead.with_user(self.operator).lead_flow_schedule_callback(now - timedelta(minutes=1))
        with self.assertRefused(ValidationError, "within a year"):
            lead.with_user(self.operator).lead_flow_schedule_callback(now + timedelta(days=400))
        self.assertFalse(lead.lead_flow_callback_at)

    def test_only_operators_who_may_write_the_lead_schedule(self):
        lead = self.leads[0]
        when = fields.Datetime.now() + timedelta(hours=2)
        with self.assertRaises(AccessError):
            lead.with_user(self.salesman).lead_flow_schedule_callback(when)
        own_docs = new_test_user(
            self.env,
            "lfr_own_docs",
            groups="base.group_user,lead_flow.group_lead_flow_operator",
        )
        lead.sudo().user_id = self.operator  # restricted user: not their lead
        with self.assertRaises(AccessError):
            lead.with_user(own_docs).lead_flow_schedule_callback(when)
        self.assertFalse(lead.lead_flow_callback_at)

    def test_a_colleagues_reserved_lead_cannot_be_scheduled(self):
        lead = self.claim(self.operator)
        with self.assertRaises(UserError):
            lead.with_user(self.operator_2).lead_flow_schedule_callback(
                fields.Datetime.now() + timedelta(hours=1)
            )

    def test_personal_callback_waits_then_comes_first_to_its_operator(self):
        lead = self.leads[2]
        lead.with_user(self.operator).lead_flow_schedule_callback(
            fields.Datetime.now() + timedelta(hours=2)
        )
        self.assertEqual(lead.lead_flow_callback_user_id, self.operator)
        self.assertIn("Callback on", lead.message_ids[0].body)
        # Until it is due the lead is out of every queue, for everyone.
        claimed = self.claim(self.operator) | self.claim(self.operator) | self.claim(self.operator)
        claimed |= self.claim(self.operator) | self.claim(self.operator)
        self.assertEqual(claimed, self.leads - lead)
        self.assertNotIn(lead, self.in_queue_list(self.operator))
        for other in claimed:
            self.release(other)
        # Due: first for its operator, not for a colleague during the grace period.
        self.move_callback(lead, -5)
        self.assertNotIn(lead, self.in_queue_list(self.operator_2))
        self.assertIn(lead, self.in_queue_list(self.operator))
        self.assertEqual(self.claim(self.operator_2), self.leads[0])
        self.assertEqual(self.claim(self.operator), lead, "the due callback comes first")

    def test_personal_callback_nobody_took_becomes_shared_after_the_grace(self):
        self.env["ir.config_parameter"].set_param("lead_flow.callback_grace_minutes", "30")
        lead = self.leads[3]
        lead.with_user(self.operator).lead_flow_schedule_callback(
            fields.Datetime.now() + timedelta(hours=1)
        )
        self.move_callback(lead, -29)
        self.assertEqual(self.claim(self.operator_2), self.leads[0])
        self.move_callback(lead, -31)
        self.assertEqual(self.claim(self.operator_2), lead, "shared after 30 minutes")

    def test_shared_callback_comes_first_to_anyone(self):
        lead = self.leads[4]
        lead.with_user(self.operator).lead_flow_schedule_callback(
            fields.Datetime.now() + timedelta(hours=1), personal=False
        )
        self.assertFalse(lead.lead_flow_callback_user_id)
        self.move_callback(lead, -1)
        self.assertEqual(self.claim(self.operator_2), lead)

    def test_scheduling_frees_my_reservation_and_a_note_answers_the_callback(self):
        lead = self.claim(self.operator)
        lead.with_user(self.operator).lead_flow_schedule_callback(
            fields.Datetime.now() + timedelta(hours=1)
        )
        self.assertFalse(lead.lead_flow_reserved_user_id, "the lead left my hands")
        self.move_callback(lead, -1)
        self.assertEqual(self.claim(self.operator), lead)
        self.log_note(self.operator, "Called back as agreed.", lead=lead)
        self.assertFalse(lead.lead_flow_callback_at)
        self.assertFalse(lead.lead_flow_callback_user_id)

    def test_note_dialog_schedules_the_callback_of_a_predefined_note(self):
        self.tmpl_call_back.callback_delay_hours = 2
        lead = self.leads[1]
        before = fields.Datetime.now()
        wizard = Form(
            self.env["lead.flow.note.wizard"]
            .with_user(self.operator)
            .with_context(default_lead_id=lead.id)
        )
        wizard.template_id = self.tmpl_call_back
        self.assertTrue(wizard.callback_at, "the note proposes its callback")
        wizard.save().action_log()
        self.assertGreaterEqual(lead.lead_flow_callback_at, before + timedelta(hours=2))
        self.assertLess(lead.lead_flow_callback_at, before + timedelta(hours=2, minutes=5))
        self.assertEqual(lead.lead_flow_callback_user_id, self.operator)
        self.assertEqual(lead.lead_flow_state, "in_progress", "and the note is logged")

    def test_routing_columns_cannot_be_written_directly(self):
        with self.assertRaises(AccessError):
            self.leads[0].with_user(self.manager).write(
                {"lead_flow_callback_at": fields.Datetime.now()}
            )
        with self.assertRaises(AccessError):
            self.leads[0].with_user(self.operator).write({"lead_flow_attempt_count": 0})

    def test_the_dashboard_lists_my_callbacks(self):
        mine, shared, colleague = self.leads[0], self.leads[1], self.leads[2]
        later = fields.Datetime.now() + timedelta(hours=3)
        mine.with_user(self.operator).lead_flow_schedule_callback(later)
        shared.with_user(self.operator).lead_flow_schedule_callback(later, personal=False)
        colleague.with_user(self.operator_2).lead_flow_schedule_callback(later)
        board = self.env["lead.flow.dashboard"].with_user(self.operator).browse(self.operator.id)
        self.assertEqual(board.callback_lead_ids, mine)
        self.assertEqual(board.callback_due_count, 0)
        self.move_callback(mine, -1)
        board.invalidate_recordset()
        self.assertEqual(board.callback_due_count, 1)
