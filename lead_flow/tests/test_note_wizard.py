from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestNoteWizard(LeadFlowCase):
    def test_predefined_note_fills_the_form_and_logs(self):
        wizard_env = self.env(user=self.operator, context={"default_lead_id": self.lead.id})
        with Form(wizard_env["lead.flow.note.wizard"]) as form:
            self.assertEqual(form.type_id, self.env.ref("lead_flow.log_type_call"))
            form.template_id = self.tmpl_not_interested
            self.assertEqual(form.body, "Not interested.")
            self.assertEqual(form.outcome, "negative")
            self.assertTrue(form.close_lead)
            form.body = "Not interested: already has a supplier."
        form.record.action_log()

        log = self.lead.lead_flow_log_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(log.body, "Not interested: already has a supplier.")
        self.assertEqual(log.template_id, self.tmpl_not_interested)
        self.assertEqual(self.lead.lead_flow_state, "done")
        self.assertIn(self.tag_not_interested, self.lead.tag_ids)

    def test_blank_note_is_refused_and_nothing_is_logged(self):
        wizard_env = self.env(user=self.operator, context={"default_lead_id": self.lead.id})
        with Form(wizard_env["lead.flow.note.wizard"]) as form:
            form.template_id = self.tmpl_call_back
            form.body = "   "
        with self.assertRefused(UserError, "empty"):
            form.record.action_log()
        self.assertFalse(self.lead.lead_flow_reserved_user_id, "a refused note reserves nothing")

    def test_lead_form_offers_the_log_button_to_operators(self):
        arch = (
            self.env["crm.lead"]
            .with_user(self.operator)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("Log call", arch)
        arch = (
            self.env["crm.lead"]
            .with_user(self.salesman)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("Log call", arch)

    def test_dialog_offers_only_manual_kinds(self):
        Wizard = self.env["lead.flow.note.wizard"].with_user(self.operator)
        domain = Wizard.fields_get(["type_id"])["type_id"]["domain"]
        offered = self.env["lead.flow.log.type"].with_user(self.operator).search(domain)
        self.assertIn(self.env.ref("lead_flow.log_type_call"), offered)
        self.assertFalse(offered.filtered("automatic"), "stage change, won, e-mail... are not")
        self.assertTrue(self.env["lead.flow.log.type"].search([("automatic", "=", True)]))
        with self.assertRefused(UserError, "logged automatically"):
            self.log_note(
                self.operator, "Won it.", type_id=self.env.ref("lead_flow.log_type_auto_won").id
            )
