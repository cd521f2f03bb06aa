from odoo import Command
from odoo.tests import tagged

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestSegmentation(LeadFlowCase):
    """Lead Flow status is a stored, indexed field usable in any domain."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.env["crm.lead"]
        cls.fresh = Lead.create({"name": "LF fresh", "type": "lead"})
        cls.working = Lead.create({"name": "LF working", "type": "lead"})
        cls.closed = Lead.create({"name": "LF closed", "type": "lead"})
        cls.working.with_user(cls.operator).lead_flow_log_note("Called.")
        cls.closed.with_user(cls.operator).lead_flow_log_note("Done.", close=True)
        cls.mine = cls.fresh | cls.working | cls.closed

    def test_column_is_stored_and_indexed(self):
        self.assertTrue(self.env["crm.lead"]._fields["lead_flow_state"].store)
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'crm_lead'"
            " AND indexdef LIKE '%%lead_flow_state%%'"
        )
        self.assertTrue(self.env.cr.fetchall(), "lead_flow_state must be indexed")

    def test_domains_and_grouping(self):
        Lead = self.env["crm.lead"]
        scope = [("id", "in", self.mine.ids)]
        self.assertEqual(Lead.search(scope + [("lead_flow_state", "=", "none")]), self.fresh)
        self.assertEqual(
            Lead.search(scope + [("lead_flow_state", "=", "in_progress")]), self.working
        )
        self.assertEqual(Lead.search(scope + [("lead_flow_state", "=", "done")]), self.closed)
        self.assertEqual(
            Lead.search(scope + [("lead_flow_state", "!=", "none")]), self.working | self.closed
        )
        groups = dict(Lead._read_group(scope, ["lead_flow_state"], ["__count"]))
        self.assertEqual(groups, {"none": 1, "in_progress": 1, "done": 1})

    def test_export_shows_the_labels(self):
        rows = self.closed.export_data(["name", "lead_flow_state"])["datas"]
        self.assertEqual(rows, [["LF closed", "Completed"]])

    def test_automation_rule_can_target_completed_leads(self):
        lead_model = self.env["ir.model"]._get("crm.lead")
        state_field = self.env["ir.model.fields"]._get("crm.lead", "lead_flow_state")
        automation = self.env["base.automation"].create(
            {
                "name": "Completed leads get priority 1",
                "model_id": lead_model.id,
                "trigger": "on_create_or_write",
                "trigger_field_ids": [Command.set(state_field.ids)],
                "filter_domain": "[('lead_flow_state', '=', 'done')]",
            }
        )
        action = self.env["ir.actions.server"].create(
            {
                "name": "Bump",
                "model_id": lead_model.id,
                "base_automation_id": automation.id,
                "usage": "base_automation",
                "state": "code",
                "code": "record.write({'priority': '1'})",
            }
        )
        automation.write({"action_server_ids": [Command.set(action.ids)]})
        self.working.with_user(self.operator).lead_flow_log_note("Another call.")
        self.assertEqual(self.working.priority, "0")
        self.working.with_user(self.operator).lead_flow_log_note("Closing.", close=True)
        self.assertEqual(self.working.priority, "1")
