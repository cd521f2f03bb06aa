from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import OPERATOR, LeadFlowCase

T0 = datetime(2026, 3, 2, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestSkip(LeadFlowCase):
    """Skip: an operator passes on a lead with a reason; it counts as an attempt, not as
    a contact."""

    def skip_entries(self):
        return self.env["lead.flow.log"].search(
            [("lead_id", "=", self.lead.id), ("type_id.code", "=", "skip")]
        )

    def test_skip_records_attempt_reason_and_frees_the_lead(self):
        with freeze_time(T0):
            self.log_note(self.operator, "No answer.")  # reserves the lead for Olga
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator)
        with freeze_time(T0 + timedelta(minutes=10)):
            result = self.lead.with_user(self.operator).lead_flow_skip("  Wrong time zone  ")
        self.assertIs(result, True)
        lead = self.lead
        self.assertEqual(lead.lead_flow_attempt_count, 2)
        self.assertEqual(lead.lead_flow_skipped_at, T0 + timedelta(minutes=10))
        self.assertEqual(lead.lead_flow_skipped_by_id, self.operator)
        self.assertFalse(lead.lead_flow_reserved_user_id, "the skipper lets go of the lead")
        self.assertEqual(lead.lead_flow_last_contact_at, T0, "a skip is no contact")
        entry = self.skip_entries()
        self.assertEqual(entry.body, "Wrong time zone")
        self.assertEqual(entry.origin, "automatic")
        self.assertEqual(entry.user_id, self.operator)
        self.assertEqual(lead.message_ids[0].preview, "Skipped: Wrong time zone")
        # Not a call in the figures.
        self.assertFalse(
            self.env["lead.flow.report"].search_count(
                [("lead_id", "=", lead.id), ("id", "=", entry.id)]
            )
        )

    def test_skip_of_a_free_lead(self):
        self.lead.with_user(self.operator_2).lead_flow_skip("Customer abroad")
        self.assertEqual(self.lead.lead_flow_skipped_by_id, self.operator_2)
        self.assertEqual(self.lead.lead_flow_attempt_count, 1)
        self.assertEqual(self.lead.lead_flow_state, "none")

    def test_reason_is_required(self):
        for reason in ("", "   ", False):
            with self.subTest(reason=reason), self.assertRefused(UserError, "reason is required"):
                self.lead.with_user(self.operator).lead_flow_skip(reason)
        self.assertFalse(self.skip_entries())

    def test_only_the_roles_of_the_setting_may_skip(self):
        self.env["ir.config_parameter"].set_param(
            "lead_flow.skip_group_ids", str(self.env.ref("lead_flow.group_lead_flow_manager").id)
        )
        with self.assertRefused(UserError, "Roles that may skip"):
            self.lead.with_user(self.operator).lead_flow_skip("Bad line")
        self.lead.with_user(self.manager).lead_flow_skip("Bad line")
        self.assertEqual(self.lead.lead_flow_skipped_by_id, self.manager)

    def test_non_operator_cannot_skip(self):
        with self.assertRefused(AccessError, "Only Lead Flow operators"):
            self.lead.with_user(self.salesman).lead_flow_skip("Not mine")

    def test_operator_who_cannot_see_the_lead_cannot_skip(self):
        restricted = new_test_user(
            self.env, "lf_own_leads", groups=f"base.group_user,{OPERATOR}", name="Rita Own"
        )
        # A salesperson on "own documents only" works the leads assigned to them only.
        lead = self.env["crm.lead"].create({"name": "Otto's lead", "user_id": self.operator_2.id})
        with self.assertRaises(AccessError):
            lead.with_user(restricted).lead_flow_skip("Not interesting")
        self.assertFalse(lead.lead_flow_skipped_at)
        self.assertEqual(lead.lead_flow_attempt_count, 0)
        # Their own lead they may skip.
        own = self.env["crm.lead"].create({"name": "Rita's lead", "user_id": restricted.id})
        own.with_user(restricted).lead_flow_skip("Duplicate of another lead")
        self.assertEqual(own.lead_flow_skipped_by_id, restricted)

    def test_colleagues_reserved_lead_cannot_be_skipped(self):
        self.log_note(self.operator_2)
        with self.assertRefused(UserError, "reserved by Otto Operator"):
            self.lead.with_user(self.operator).lead_flow_skip("Looks hard")

    def test_completed_lead_cannot_be_skipped(self):
        self.log_note(self.operator, template_id=self.tmpl_not_interested.id)
        with self.assertRefused(UserError, "is completed"):
            self.lead.with_user(self.operator).lead_flow_skip("Done anyway")

    def test_skip_dialog(self):
        action = self.env.ref("lead_flow.action_lead_flow_skip_wizard")
        Wizard = self.env[action.res_model].with_user(self.operator)
        with Form(Wizard.with_context(default_lead_ids=[self.lead.id])) as wizard:
            wizard.reason = "Customer on holiday"
        wizard.record.action_skip()
        self.assertEqual(self.skip_entries().body, "Customer on holiday")
        self.assertEqual(self.lead.lead_flow_skipped_by_id, self.operator)

    def test_skip_setting_defaults_to_operators(self):
        settings = self.env["res.config.settings"].create({})
        operators = self.env.ref("lead_flow.group_lead_flow_operator")
        self.assertEqual(settings.lead_flow_skip_group_ids, operators)
        settings.lead_flow_skip_group_ids = self.env.ref("lead_flow.group_lead_flow_team_leader")
        settings.execute()
        with self.assertRefused(UserError, "Roles that may skip"):
            self.lead.with_user(self.operator).lead_flow_skip("Bad line")

    def test_operators_read_skip_and_retry_texts_in_their_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["lead_flow"], ["fr_FR"], overwrite=True)
        self.operator.lang = "fr_FR"
        as_french = self.lead.with_user(self.operator).with_context(lang="fr_FR")
        with self.assertRefused(UserError, "le motif est obligatoire"):
            as_french.lead_flow_skip(" ")
        menu = self.env.ref("lead_flow.menu_lead_flow_retry_rule").with_context(lang="fr_FR")
        self.assertEqual(menu.name, "Règles de relance")
        as_french.lead_flow_skip("Mauvais numéro")
        self.assertEqual(self.lead.message_ids[0].preview, "Passée : Mauvais numéro")
