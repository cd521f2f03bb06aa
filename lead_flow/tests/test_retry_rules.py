from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import LeadFlowCase

T0 = datetime(2026, 3, 2, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestRetryRules(LeadFlowCase):
    """Retry rules: when a lead called without a positive contact comes back, and when the
    call centre gives up on it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Rule = cls.env["lead.flow.retry.rule"]
        # Only this test's rules: the shipped and demo ones would blur what is checked.
        Rule.search([]).action_archive()
        cls.tmpl_no_answer = cls.env["lead.flow.note.template"].create(
            {"name": "LF No answer", "body": "No answer."}
        )
        cls.rule_no_answer = Rule.create(
            {"template_id": cls.tmpl_no_answer.id, "retry_hours": 2, "max_attempts": 3}
        )
        cls.rule_partial = Rule.create({"outcome": "partial", "retry_hours": 24})

    def no_answer(self, user=None):
        return self.log_note(
            user or self.operator, "No answer.", template_id=self.tmpl_no_answer.id
        )

    def test_no_answer_comes_back_two_hours_later(self):
        with freeze_time(T0):
            self.no_answer()
        self.assertEqual(self.lead.lead_flow_retry_at, T0 + timedelta(hours=2))
        self.assertEqual(self.lead.lead_flow_attempt_count, 1)
        self.assertEqual(self.lead.lead_flow_state, "in_progress")
        with freeze_time(T0 + timedelta(hours=3)):
            self.no_answer()
        self.assertEqual(self.lead.lead_flow_retry_at, T0 + timedelta(hours=5))
        self.assertEqual(self.lead.lead_flow_attempt_count, 2)

    def test_partial_outcome_comes_back_next_day(self):
        with freeze_time(T0):
            self.log_note(self.operator, "Busy.", template_id=self.tmpl_call_back.id)
        self.assertEqual(self.lead.lead_flow_retry_at, T0 + timedelta(days=1))
        self.assertEqual(self.lead.lead_flow_attempt_count, 1)

    def test_predefined_note_rule_wins_over_outcome_rule(self):
        self.env["lead.flow.retry.rule"].create({"outcome": "unclassified", "retry_hours": 8})
        with freeze_time(T0):
            self.no_answer()  # unclassified too, but its own rule says 2 hours
        self.assertEqual(self.lead.lead_flow_retry_at, T0 + timedelta(hours=2))
        with freeze_time(T0 + timedelta(hours=2)):
            self.log_note(self.operator, "Line busy.")
        self.assertEqual(self.lead.lead_flow_retry_at, T0 + timedelta(hours=10))

    def test_no_rule_counts_the_attempt_without_delay(self):
        with freeze_time(T0):
            self.log_note(self.operator, "Rude.", outcome="negative")
        self.assertFalse(self.lead.lead_flow_retry_at)
        self.assertEqual(self.lead.lead_flow_attempt_count, 1)

    def test_positive_contact_starts_the_count_again(self):
        with freeze_time(T0):
            self.no_answer()
            self.no_answer()
        with freeze_time(T0 + timedelta(hours=5)):
            self.log_note(self.operator, "Reached, interested.", template_id=self.tmpl_success.id)
        self.assertEqual(self.lead.lead_flow_attempt_count, 0)
        self.assertFalse(self.lead.lead_flow_retry_at)
        with freeze_time(T0 + timedelta(days=1)):
            self.no_answer()
            self.no_answer()
        # Two attempts since the positive contact: the limit of three is not reached.
        self.assertEqual(self.lead.lead_flow_attempt_count, 2)
        self.assertEqual(self.lead.lead_flow_state, "in_progress")

    def test_maximum_attempts_completes_the_lead_and_says_why(self):
        for hours in (0, 2, 4):
            with freeze_time(T0 + timedelta(hours=hours)):
                self.no_answer()
        self.assertEqual(self.lead.lead_flow_state, "done")
        self.assertEqual(self.lead.lead_flow_attempt_count, 3)
        self.assertFalse(self.lead.lead_flow_retry_at, "a completed lead is not called again")
        self.assertFalse(self.lead.lead_flow_reserved_user_id, "nobody works a completed lead")
        reason = "Completed after 3 attempts: rule LF No answer"
        entry = self.env["lead.flow.log"].search(
            [("lead_id", "=", self.lead.id), ("type_id.code", "=", "attempts_exhausted")]
        )
        self.assertEqual(entry.body, reason)
        self.assertEqual(entry.origin, "automatic")
        self.assertEqual(entry.user_id, self.operator)
        self.assertIn(reason, self.lead.message_ids[0].body)
        # The operator sees the entry in the lead's history.
        self.assertEqual(entry.with_user(self.operator).read(["body"])[0]["body"], reason)

    def test_undoing_the_latest_call_gives_back_its_attempt_and_the_previous_retry(self):
        with freeze_time(T0):
            self.no_answer()
        with freeze_time(T0 + timedelta(hours=1)):
            second = self.no_answer()
        self.assertEqual(self.lead.lead_flow_attempt_count, 2)
        self.assertEqual(self.lead.lead_flow_retry_at, T0 + timedelta(hours=3))
        with freeze_time(T0 + timedelta(hours=1, minutes=5)):
            second.with_user(self.operator).action_undo()
        self.assertEqual(self.lead.lead_flow_attempt_count, 1)
        self.assertEqual(self.lead.lead_flow_retry_at, T0 + timedelta(hours=2), "the first's")
        # Once the first call's retry has passed, undoing leaves no retry.
        with freeze_time(T0 + timedelta(hours=4)):
            third = self.no_answer()
        with freeze_time(T0 + timedelta(hours=4, minutes=1)):
            third.with_user(self.operator).action_undo()
        self.assertEqual(self.lead.lead_flow_attempt_count, 1)
        self.assertFalse(self.lead.lead_flow_retry_at)

    def test_undoing_an_earlier_call_keeps_the_latest_retry(self):
        with freeze_time(T0):
            first = self.no_answer()
        with freeze_time(T0 + timedelta(hours=2)):
            self.log_note(self.operator, "Busy.", template_id=self.tmpl_call_back.id)
        retry_at = self.lead.lead_flow_retry_at
        self.assertEqual(retry_at, T0 + timedelta(hours=26))
        with freeze_time(T0 + timedelta(hours=3)):
            first.with_user(self.operator).action_undo()
        self.assertEqual(self.lead.lead_flow_attempt_count, 1)
        self.assertEqual(self.lead.lead_flow_retry_at, retry_at)

    def test_undoing_a_positive_contact_counts_the_calls_before_it_again(self):
        with freeze_time(T0):
            self.no_answer()
        with freeze_time(T0 + timedelta(hours=2)):
            self.no_answer()
        with freeze_time(T0 + timedelta(hours=4)):
            positive = self.log_note(self.operator, "Interested.", outcome="positive")
        self.assertEqual(self.lead.lead_flow_attempt_count, 0)
        with freeze_time(T0 + timedelta(hours=4, minutes=30)):
            positive.with_user(self.operator).action_undo()
        self.assertEqual(self.lead.lead_flow_attempt_count, 2)
        self.assertFalse(self.lead.lead_flow_retry_at, "the last call's retry has passed")
        # A skip counts as an attempt and stays one.
        with freeze_time(T0 + timedelta(hours=5)):
            self.lead.with_user(self.operator).lead_flow_skip("Wrong time zone")
            email = self.log_note(
                self.operator,
                "Sent the brochure.",
                type_id=self.env.ref("lead_flow.log_type_email").id,
            )
            email.with_user(self.operator).action_undo()
        self.assertEqual(self.lead.lead_flow_attempt_count, 3)

    def test_undoing_the_call_that_used_up_the_attempts_reopens_the_lead(self):
        notes = []
        for hours in (0, 2, 4):
            with freeze_time(T0 + timedelta(hours=hours)):
                notes.append(self.no_answer())
        self.assertEqual(self.lead.lead_flow_state, "done")
        with freeze_time(T0 + timedelta(hours=4, minutes=10)):
            notes[-1].with_user(self.operator).action_undo()
        self.assertEqual(self.lead.lead_flow_state, "in_progress")
        self.assertEqual(self.lead.lead_flow_attempt_count, 2)
        self.assertFalse(self.lead.lead_flow_retry_at, "the previous call's retry has passed")
        # A lead completed by a note of its own stays completed when an earlier call goes.
        with freeze_time(T0 + timedelta(hours=5)):
            self.log_note(self.operator, "Signed.", close=True)
            notes[0].with_user(self.operator).action_undo()
        self.assertEqual(self.lead.lead_flow_state, "done")
        self.assertEqual(self.lead.lead_flow_attempt_count, 2, "the second call and Signed")

    def test_closing_note_needs_no_retry(self):
        with freeze_time(T0):
            self.no_answer()
            self.log_note(self.operator, "Not interested.", template_id=self.tmpl_not_interested.id)
        self.assertEqual(self.lead.lead_flow_state, "done")
        self.assertFalse(self.lead.lead_flow_retry_at)
        self.assertFalse(
            self.env["lead.flow.log"].search_count(
                [("lead_id", "=", self.lead.id), ("type_id.code", "=", "attempts_exhausted")]
            )
        )

    def test_an_email_is_no_call_attempt(self):
        email = self.env.ref("lead_flow.log_type_email")
        with freeze_time(T0):
            self.log_note(self.operator, "Sent the brochure.", type_id=email.id)
        self.assertEqual(self.lead.lead_flow_attempt_count, 0)
        self.assertFalse(self.lead.lead_flow_retry_at)

    def test_archived_rule_and_other_company_rule_do_not_apply(self):
        other = self.env["res.company"].create({"name": "LF Other company"})
        self.rule_no_answer.action_archive()
        self.env["lead.flow.retry.rule"].create(
            {"template_id": self.tmpl_no_answer.id, "retry_hours": 1, "company_id": other.id}
        )
        with freeze_time(T0):
            self.no_answer()
        self.assertFalse(self.lead.lead_flow_retry_at)

    def test_a_changed_rule_applies_to_the_next_note(self):
        # The rule of a note is looked up once and kept: a change must show at once.
        with freeze_time(T0):
            self.no_answer()
        self.assertEqual(self.lead.lead_flow_retry_at, T0 + timedelta(hours=2))
        self.rule_no_answer.with_user(self.manager).retry_hours = 5
        with freeze_time(T0 + timedelta(hours=3)):
            self.no_answer()
        self.assertEqual(self.lead.lead_flow_retry_at, T0 + timedelta(hours=8))
        self.rule_no_answer.with_user(self.manager).action_archive()
        with freeze_time(T0 + timedelta(hours=9)):
            self.no_answer()
        self.assertFalse(self.lead.lead_flow_retry_at, "an archived rule no longer applies")
        self.env["lead.flow.retry.rule"].with_user(self.manager).create(
            {"template_id": self.tmpl_no_answer.id, "retry_hours": 1}
        )
        with freeze_time(T0 + timedelta(hours=10)):
            self.no_answer()
        self.assertEqual(self.lead.lead_flow_retry_at, T0 + timedelta(hours=11))

    def test_bad_rules_are_refused(self):
        Rule = self.env["lead.flow.retry.rule"].with_user(self.manager)
        cases = [
            ({"retry_hours": 2}, "exactly one"),
            (
                {"outcome": "partial", "template_id": self.tmpl_no_answer.id, "retry_hours": 2},
                "exactly one",
            ),
            ({"outcome": "partial", "retry_hours": -1}, "cannot be negative"),
            ({"outcome": "partial", "max_attempts": -2}, "cannot be negative"),
        ]
        for vals, fragment in cases:
            with self.subTest(vals=vals), self.assertRaises(ValidationError) as caught:
                Rule.create(vals)
            self.assertIn(fragment, str(caught.exception))

    def test_managers_edit_rules_operators_only_read_them(self):
        rule = (
            self.env["lead.flow.retry.rule"]
            .with_user(self.manager)
            .create({"outcome": "negative", "retry_hours": 48, "max_attempts": 2})
        )
        rule.write({"retry_hours": 72})
        as_operator = rule.with_user(self.operator)
        self.assertEqual(as_operator.name, "Negative")
        self.assertEqual(as_operator.retry_hours, 72)
        with self.assertRaises(AccessError):
            as_operator.write({"retry_hours": 1})
        with self.assertRaises(AccessError):
            self.env["lead.flow.retry.rule"].with_user(self.operator).create(
                {"outcome": "partial", "retry_hours": 1}
            )
        with self.assertRaises(AccessError):
            as_operator.unlink()
        with self.assertRaises(AccessError):
            rule.with_user(self.salesman).read(["retry_hours"])

    def test_operators_cannot_set_the_retry_themselves(self):
        with self.assertRefused(AccessError, "through their own actions"):
            self.lead.with_user(self.operator).write(
                {"lead_flow_retry_at": T0, "lead_flow_attempt_count": 0}
            )
