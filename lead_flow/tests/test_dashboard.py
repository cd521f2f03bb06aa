from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestDashboard(LeadFlowCase):
    def _open(self, user):
        action = self.env.ref("lead_flow.action_lead_flow_dashboard").with_user(user).run()
        self.assertEqual((action["res_model"], action["res_id"]), ("lead.flow.dashboard", user.id))
        return self.env["lead.flow.dashboard"].with_user(user).browse(action["res_id"])

    def test_queue_counters(self):
        board = self._open(self.operator)
        before = (board.reserved_open_count, board.never_contacted_count, board.calls_today_count)
        fresh = self.env["crm.lead"].create({"name": "LF never contacted", "type": "lead"})
        self.log_note(self.operator, "First call.")  # reserves self.lead, a call today
        board.invalidate_recordset()
        self.assertEqual(
            (board.reserved_open_count, board.never_contacted_count, board.calls_today_count),
            # self.lead leaves the never-contacted ones, the fresh lead joins them
            (before[0] + 1, before[1], before[2] + 1),
        )
        self.assertEqual(board.recent_lead_ids[0], fresh)
        # Counted as the queue counts: a lead outside the queue scope is not waiting for them.
        self.env["ir.config_parameter"].sudo().set_param(
            "lead_flow.queue_domain", "[('name', '!=', 'LF never contacted')]"
        )
        board.invalidate_recordset()
        self.assertEqual(board.never_contacted_count, before[1] - 1)
        action = board.action_open_reserved()
        self.assertEqual(
            self.env["crm.lead"].with_user(self.operator).search(action["domain"]), self.lead
        )
        self.log_note(self.operator, "Closing.", close=True)
        board.invalidate_recordset()
        self.assertEqual(board.reserved_open_count, before[0], "completed leads leave the queue")
        self.assertEqual(board.calls_today_count, before[2] + 2)
        self.assertEqual(self._open(self.operator_2).calls_today_count, 0)

    def test_upcoming_appointments_and_activities_of_my_leads(self):
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        event = self.env["calendar.event"].create(
            {
                "name": "LF demo meeting",
                "start": tomorrow,
                "stop": tomorrow + timedelta(hours=1),
                "opportunity_id": self.lead.id,
                "user_id": self.operator.id,
            }
        )
        self.env["calendar.event"].create(
            {
                "name": "LF past meeting",
                "start": tomorrow - timedelta(days=3),
                "stop": tomorrow - timedelta(days=3, hours=-1),
                "opportunity_id": self.lead.id,
                "user_id": self.operator.id,
            }
        )
        activity = self.lead.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.today() + timedelta(days=2),
            user_id=self.operator.id,
        )
        board = self._open(self.operator)
        self.assertEqual(board.appointment_ids, event)
        self.assertIn(activity, board.activity_ids)
        other = self._open(self.operator_2)
        self.assertFalse(other.appointment_ids)
        self.assertNotIn(activity, other.activity_ids)

    def test_each_user_sees_only_their_own_dashboard(self):
        Board = self.env["lead.flow.dashboard"].with_user(self.operator)
        self.assertEqual(Board.search([]).ids, [self.operator.id])
        with self.assertRaises(AccessError):
            Board.browse(self.manager.id).read(["reserved_open_count"])
        with self.assertRaises(AccessError):
            self.env["lead.flow.dashboard"].with_user(self.salesman).search([])

    def test_dashboard_view_loads(self):
        board = self._open(self.operator)
        arch = board.get_views([(False, "form")])["views"]["form"]["arch"]
        for name in (
            "reserved_open_count",
            "never_contacted_count",
            "calls_today_count",
            "appointment_ids",
            "activity_ids",
            "recent_lead_ids",
            "action_open_leads_per_day",
        ):
            self.assertIn(name, arch)
        action = board.action_open_leads_per_day()
        self.assertEqual(action["res_model"], "lead.flow.lead.day.report")
        self.assertEqual(
            self.env.ref("lead_flow.menu_lead_flow_dashboard").parent_id,
            self.env.ref("lead_flow.menu_lead_flow_root"),
        )
