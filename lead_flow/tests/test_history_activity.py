from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_history import HistoryCase


@tagged("post_install", "-at_install")
class TestLogActivity(HistoryCase):
    def wizard(self, user, lines, tagged_users=None):
        return (
            self.env["lead.flow.log.activity.wizard"]
            .with_user(user)
            .create(
                {
                    "lead_id": self.lead.id,
                    "line_ids": [
                        (0, 0, {"type_id": self.env.ref(xmlid).id, "body": body})
                        for xmlid, body in lines
                    ],
                    "tagged_user_ids": [(6, 0, (tagged_users or self.env["res.users"]).ids)],
                }
            )
        )

    def test_tiles_one_per_manual_type_with_counters(self):
        counts = self.lead.lead_flow_activity_counts()
        self.assertEqual(counts, {"call": 0, "sms": 0, "email": 0, "meeting": 0, "note": 0})
        wizard = self.wizard(
            self.operator,
            [
                ("lead_flow.log_type_call", "Called."),
                ("lead_flow.log_type_meeting", "Met at the fair."),
                ("lead_flow.log_type_call", "Called again."),
            ],
        )
        log_ids = wizard.action_log()
        self.assertEqual(len(log_ids), 3)
        counts = self.lead.lead_flow_activity_counts()
        self.assertEqual(counts["call"], 2)
        self.assertEqual(counts["meeting"], 1)
        self.assertNotIn("stage", counts, "automatic kinds have no tile")
        self.lead.invalidate_recordset()
        self.assertIn("Meeting", self.lead.lead_flow_tiles)
        self.env["lead.flow.log"].browse(log_ids[0]).with_user(self.operator).action_undo()
        self.assertEqual(self.lead.lead_flow_activity_counts()["call"], 1, "undone not counted")

    def test_mentions_notify_tagged_users_only(self):
        self.operator_2.notification_type = "inbox"
        self.lead.message_subscribe(partner_ids=self.manager.partner_id.ids)
        wizard = self.wizard(
            self.operator, [("lead_flow.log_type_call", "Needs a quote.")], self.operator_2
        )
        log = self.env["lead.flow.log"].browse(wizard.action_log())
        message = log.message_id
        self.assertEqual(message.notification_ids.res_partner_id, self.operator_2.partner_id)
        self.assertEqual(message.notification_ids.notification_type, "inbox")
        self.assertIn("Needs a quote.", message.body)
        self.assertFalse(self.automatic())

    def test_no_mention_no_notification(self):
        wizard = self.wizard(self.operator, [("lead_flow.log_type_call", "Quiet call.")])
        log = self.env["lead.flow.log"].browse(wizard.action_log())
        self.assertFalse(log.message_id.notification_ids)

    def test_empty_comment_is_refused(self):
        wizard = self.wizard(self.operator, [("lead_flow.log_type_call", "   ")])
        with self.assertRefused(ValidationError, "comment"):
            wizard.action_log()
        with self.assertRefused(ValidationError):
            self.lead.with_user(self.operator).lead_flow_log_note("  ")

    def test_automatic_kind_cannot_be_logged_by_hand(self):
        wizard = self.wizard(self.operator, [("lead_flow.log_type_auto_stage", "Fake")])
        with self.assertRefused(ValidationError):
            wizard.action_log()
        with self.assertRefused(ValidationError, "automatically"):
            self.lead.with_user(self.operator).lead_flow_log_note(
                "Fake", type_id=self.env.ref("lead_flow.log_type_auto_stage").id
            )

    def test_tiles_limited_by_team_purpose(self):
        team = self.env["crm.team"].create({"name": "LF Buyers", "lead_flow_purpose": "buying"})
        self.env.ref("lead_flow.log_type_meeting").team_purpose = "selling"
        self.env.ref("lead_flow.log_type_sms").team_purpose = "buying"
        self.assertIn("meeting", self.lead.lead_flow_activity_counts(), "no team: all tiles")
        self.lead.team_id = team
        self.flush_tracking()
        counts = self.lead.lead_flow_activity_counts()
        self.assertNotIn("meeting", counts)
        self.assertIn("sms", counts)
        self.assertIn("call", counts)
        wizard = self.wizard(self.operator, [("lead_flow.log_type_meeting", "Met.")])
        with self.assertRefused(ValidationError, "Meeting"):
            wizard.action_log()
