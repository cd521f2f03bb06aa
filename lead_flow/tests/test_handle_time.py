from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import LeadFlowCase

T0 = datetime(2026, 3, 2, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestHandleTime(LeadFlowCase):
    """Handle time: from when the operator started on the lead to their note; and the
    productivity figures built on it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["lead.flow.retry.rule"].search([]).action_archive()  # no retry in the way
        cls.lead_2 = cls.env["crm.lead"].create({"name": "LF handle lead 2", "type": "lead"})

    def claim(self, user, lead, when):
        # What Next lead leaves on the lead it hands out (models/crm_lead_queue.py).
        lead.sudo().write({"lead_flow_reserved_user_id": user.id, "lead_flow_reserved_at": when})

    def note_at(self, when, user=None, lead=None):
        with freeze_time(when):
            return self.log_note(user or self.operator, lead=lead)

    def test_from_next_lead_to_the_note(self):
        self.claim(self.operator, self.lead, T0)
        entry = self.note_at(T0 + timedelta(minutes=4, seconds=30))
        self.assertEqual(entry.handle_seconds, 270)

    def test_from_the_previous_note_while_the_lead_stays_reserved(self):
        first = self.note_at(T0)  # a free lead: when the work started is unknown
        self.assertFalse(first.handle_seconds)
        second = self.note_at(T0 + timedelta(minutes=7))
        self.assertEqual(second.handle_seconds, 420)

    def test_unknown_without_a_live_reservation_of_the_author(self):
        self.claim(self.operator_2, self.lead, T0)
        self.lead.sudo().lead_flow_release()
        self.assertFalse(self.note_at(T0 + timedelta(minutes=3)).handle_seconds)
        # Reserved 25 hours ago: expired (24 hours by default), says nothing about this call.
        self.claim(self.operator, self.lead_2, T0)
        entry = self.note_at(T0 + timedelta(hours=25), lead=self.lead_2)
        self.assertFalse(entry.handle_seconds)

    def test_report_average_handle_time_and_calls_per_hour(self):
        # Olga: 3 calls between 9:00 and 10:00 and 1 call at 11:xx: 4 calls in 2 hours worked.
        self.claim(self.operator, self.lead, T0)
        self.note_at(T0 + timedelta(minutes=2))  # 2 min
        self.note_at(T0 + timedelta(minutes=6))  # 4 min
        self.note_at(T0 + timedelta(minutes=12))  # 6 min
        self.note_at(T0 + timedelta(hours=2, minutes=20))  # 128 min
        # Otto: 1 call, started 3 minutes earlier.
        self.claim(self.operator_2, self.lead_2, T0)
        self.note_at(T0 + timedelta(minutes=3), user=self.operator_2, lead=self.lead_2)

        Report = self.env["lead.flow.report"]
        domain = [("lead_id", "in", (self.lead | self.lead_2).ids)]
        rows = {
            user: (calls, handle, per_hour)
            for user, calls, handle, per_hour in Report._read_group(
                domain,
                ["user_id"],
                ["call_count:sum", "handle_time:avg", "calls_per_hour:avg"],
            )
        }
        self.assertEqual(rows[self.operator], (4, 35.0, 2.0))
        self.assertEqual(rows[self.operator_2], (1, 3.0, 1.0))
        # The whole team: 5 calls in 3 operator-hours.
        [[per_hour]] = Report._read_group(domain, [], ["calls_per_hour:avg"])
        self.assertEqual(per_hour, 1.67)

        # Operators see their own figures only, with the same measures.
        as_operator = Report.with_user(self.operator)
        [[calls, handle, per_hour]] = as_operator._read_group(
            domain, [], ["call_count:sum", "handle_time:avg", "calls_per_hour:avg"]
        )
        self.assertEqual((calls, handle, per_hour), (4, 35.0, 2.0))
        # The pivot offers the measures.
        measures = as_operator.fields_get(["handle_time", "calls_per_hour"], ["aggregator"])
        self.assertEqual(measures["handle_time"]["aggregator"], "avg")
        self.assertEqual(measures["calls_per_hour"]["aggregator"], "avg")
