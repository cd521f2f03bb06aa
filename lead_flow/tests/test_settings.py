from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestSettings(LeadFlowCase):
    def setUp(self):
        super().setUp()
        self.admin_env = self.env(user=self.env.ref("base.user_admin"))
        self.ICP = self.env["ir.config_parameter"].sudo()

    def test_round_trip_through_settings(self):
        team_leader = self.env["res.groups"].create({"name": "LF Team leaders"})
        operator_group = self.env.ref("lead_flow.group_lead_flow_operator")
        with Form(self.admin_env["res.config.settings"]) as form:
            form.lead_flow_reserve_group_ids.clear()
            form.lead_flow_reserve_group_ids.add(operator_group)
            form.lead_flow_reserve_group_ids.add(team_leader)
            form.lead_flow_reservation_hours = 8
            form.lead_flow_ai_enabled = True
            form.lead_flow_ai_api_key = "sk-test-123"
            form.lead_flow_ai_model = "llama3"
            form.lead_flow_ai_base_url = "http://127.0.0.1:11434/v1"
        form.record.execute()

        self.assertEqual(
            set(self.ICP.get_param("lead_flow.reserve_group_ids").split(",")),
            {str(operator_group.id), str(team_leader.id)},
        )
        self.assertEqual(self.ICP.get_param("lead_flow.reservation_hours"), "8")
        self.assertEqual(self.ICP.get_param("lead_flow.ai_enabled"), "True")
        self.assertEqual(self.ICP.get_param("lead_flow.ai_api_key"), "sk-test-123")
        self.assertEqual(self.ICP.get_param("lead_flow.ai_model"), "llama3")
        self.assertEqual(self.ICP.get_param("lead_flow.ai_base_url"), "http://127.0.0.1:11434/v1")

        reopened = self.admin_env["res.config.settings"].create({})
        self.assertEqual(reopened.lead_flow_reserve_group_ids, operator_group | team_leader)
        self.assertEqual(reopened.lead_flow_reservation_hours, 8)
        self.assertTrue(reopened.lead_flow_ai_enabled)
        self.assertEqual(reopened.lead_flow_ai_model, "llama3")

    def test_reservation_follows_the_configured_roles(self):
        self.ICP.set_param("lead_flow.reserve_group_ids", "")
        self.log_note(self.operator, "No role reserves now.")
        self.assertFalse(self.lead.lead_flow_reserved_user_id)
        self.ICP.set_param(
            "lead_flow.reserve_group_ids",
            str(self.env.ref("lead_flow.group_lead_flow_operator").id),
        )
        self.log_note(self.operator, "Now it does.")
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator)

    def test_bad_values_are_refused(self):
        for field, value, words in (
            ("lead_flow_reservation_hours", -1, "negative"),
            ("lead_flow_ai_base_url", "ftp://example.com", "not a valid"),
            ("lead_flow_ai_base_url", "localhost:8000", "not a valid"),
            ("lead_flow_ai_max_per_run", 0, "between 1 and 1000000"),
            ("lead_flow_ai_timeout", 601, "between 1 and 600"),
            ("lead_flow_ai_concurrency", 33, "between 1 and 32"),
        ):
            settings = self.admin_env["res.config.settings"].create({field: value})
            with (
                self.subTest(field=field, value=value),
                self.assertRaises(ValidationError) as caught,
            ):
                settings.execute()
            self.assertIn(words, str(caught.exception))

    def test_ai_settings_never_written_or_garbled_show_the_defaults(self):
        for key in ("lead_flow.ai_max_per_run", "lead_flow.ai_concurrency"):
            self.ICP.set_param(key, False)
        self.ICP.set_param("lead_flow.ai_timeout", "soon")  # not a number: the default too
        with self.assertLogs("odoo.addons.base.models.res_config", "WARNING"):
            settings = self.admin_env["res.config.settings"].create({})
        self.assertEqual(
            (
                settings.lead_flow_ai_max_per_run,
                settings.lead_flow_ai_timeout,
                settings.lead_flow_ai_concurrency,
            ),
            (200, 30, 4),
        )
        settings.execute()  # the defaults pass the checks, and are stored
        self.assertEqual(self.ICP.get_param("lead_flow.ai_timeout"), "30")

    def test_ai_defaults_are_written_where_not_yet_set(self):
        self.assertEqual(self.ICP.get_param("lead_flow.ai_batch_size"), "50", "at install")
        self.ICP.set_param("lead_flow.ai_max_attempts", False)
        self.ICP.set_param("lead_flow.ai_timeout", "12")
        self.env["res.config.settings"]._lead_flow_ai_write_defaults()
        # the advanced keys show in System Parameters, where the documentation sends admins
        self.assertEqual(self.ICP.get_param("lead_flow.ai_max_attempts"), "3")
        self.assertEqual(self.ICP.get_param("lead_flow.ai_timeout"), "12", "a set value stays")
