from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestAccess(LeadFlowCase):
    def test_operator_logs_but_users_without_the_group_cannot(self):
        self.log_note(self.operator, "Allowed.")
        lead = self.env["crm.lead"].create({"name": "LF other", "type": "lead"})
        with self.assertRaises(AccessError):
            lead.with_user(self.salesman).lead_flow_log_note("Not an operator.")
        with self.assertRaises(AccessError):
            lead.with_user(self.plain_user).lead_flow_log_note("Not even in CRM.")
        self.assertFalse(lead.lead_flow_log_ids)

    def test_nobody_creates_entries_directly(self):
        """Entries come from Log note, the automatic history and the AI job only: a
        direct create is refused for everybody, operators and managers included."""
        vals = {
            "lead_id": self.lead.id,
            "type_id": self.env.ref("lead_flow.log_type_call").id,
            "body": "Forged.",
            "outcome": "positive",
            "closes_lead": True,
        }
        for user in (self.salesman, self.plain_user, self.operator, self.manager):
            with (
                self.subTest(user=user.login),
                self.assertRefused(AccessError, "cannot be created directly"),
            ):
                self.env["lead.flow.log"].with_user(user).create(vals)

    def test_nobody_changes_entries_directly(self):
        log = self.log_note(self.operator, "Mine.")
        for user, vals in (
            (self.operator, {"body": "Rewritten by its author."}),
            (self.operator_2, {"body": "Rewritten by someone else."}),
            (self.manager, {"closes_lead": True}),
            (self.manager, {"outcome": "positive"}),
        ):
            with (
                self.subTest(user=user.login, vals=vals),
                self.assertRefused(AccessError, "cannot be changed"),
            ):
                log.with_user(user).write(vals)
        self.assertEqual((log.body, log.closes_lead, log.outcome), ("Mine.", False, "unclassified"))
        with self.assertRaises(AccessError):
            log.with_user(self.manager).unlink()  # history is kept: undo, never delete

    def test_templates_and_types_are_edited_by_managers_only(self):
        with self.assertRaises(AccessError):
            self.tmpl_success.with_user(self.operator).write({"name": "Hacked"})
        with self.assertRaises(AccessError):
            self.env["lead.flow.log.type"].with_user(self.operator).create(
                {"name": "Fax", "code": "fax"}
            )
        self.tmpl_success.with_user(self.manager).write({"name": "Great call"})
        self.env["lead.flow.log.type"].with_user(self.manager).create(
            {"name": "Fax", "code": "fax"}
        )
        self.assertEqual(self.tmpl_success.name, "Great call")

    def test_release_of_someone_elses_reservation_needs_a_manager(self):
        self.log_note(self.operator, "Mine.")
        with self.assertRaises(UserError):
            self.lead.with_user(self.operator_2).lead_flow_release()
        self.lead.with_user(self.manager).lead_flow_release()
        self.assertFalse(self.lead.lead_flow_reserved_user_id)

    def test_api_key_is_for_admins_only(self):
        self.env["ir.config_parameter"].sudo().set_param("lead_flow.ai_api_key", "sk-secret")
        for user in (self.operator, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["ir.config_parameter"].with_user(user).get_param("lead_flow.ai_api_key")
        field = self.env["res.config.settings"]._fields["lead_flow_ai_api_key"]
        self.assertEqual(field.groups, "base.group_system")
        admin = self.env.ref("base.user_admin")
        settings = self.env["res.config.settings"].with_user(admin).create({})
        self.assertEqual(settings.lead_flow_ai_api_key, "sk-secret")
