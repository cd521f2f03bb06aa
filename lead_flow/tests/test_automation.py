from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestTagsFireAutomation(LeadFlowCase):
    """Tags from a predefined note go on the lead by a normal write, so Odoo's own
    automation rules ("Tag is added") run, in the same transaction as the note."""

    def _automation_on_tag(self, tag, code):
        lead_model = self.env["ir.model"]._get("crm.lead")
        tag_field = self.env["ir.model.fields"]._get("crm.lead", "tag_ids")
        automation = self.env["base.automation"].create(
            {
                "name": "On tag",
                "model_id": lead_model.id,
                "trigger": "on_tag_set",
                "trigger_field_ids": [Command.set(tag_field.ids)],
                "filter_pre_domain": f"[('tag_ids', 'not in', [{tag.id}])]",
                "filter_domain": f"[('tag_ids', 'in', [{tag.id}])]",
            }
        )
        action = self.env["ir.actions.server"].create(
            {
                "name": "React to tag",
                "model_id": lead_model.id,
                "base_automation_id": automation.id,
                "usage": "base_automation",
                "state": "code",
                "code": code,
            }
        )
        automation.write({"action_server_ids": [Command.set(action.ids)]})
        return automation

    def test_tag_from_template_fires_automation_rule(self):
        self._automation_on_tag(self.tag_call_back, "record.write({'priority': '3'})")
        self.assertEqual(self.lead.priority, "0")
        self.log_note(self.operator, "Busy.", template_id=self.tmpl_call_back.id)
        self.assertEqual(self.lead.priority, "3", "the automation rule ran on the tag")

    def test_note_without_that_tag_does_not_fire_it(self):
        self._automation_on_tag(self.tag_call_back, "record.write({'priority': '3'})")
        self.log_note(self.operator, "Great.", template_id=self.tmpl_success.id)
        self.assertEqual(self.lead.priority, "0")

    def test_failing_automation_rolls_back_the_whole_note(self):
        self._automation_on_tag(
            self.tag_call_back, "raise UserError('Call backs are paused this week')"
        )
        with self.assertRefused(UserError, "Call backs are paused"):
            self.log_note(self.operator, "Busy.", template_id=self.tmpl_call_back.id)
