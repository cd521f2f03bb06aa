""" "Classify now" (button and list action) and the Settings of the AI classification.

These run in the test transaction: the buttons never commit.
"""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import LeadFlowCase
from .fake_openai import FakeOpenAI


@tagged("post_install", "-at_install")
class TestAiClassifyNow(LeadFlowCase):
    def setUp(self):
        super().setUp()
        self.server = FakeOpenAI(lambda note, count: "positive").start()
        self.addCleanup(self.server.stop)
        self.ICP = self.env["ir.config_parameter"].sudo()
        for key, value in {
            "ai_enabled": "True",
            "ai_api_key": "sk-test-fake",
            "ai_model": "fake-model",
            "ai_base_url": self.server.base_url,
            "ai_timeout": "5",
            "ai_max_retries": "0",
        }.items():
            self.ICP.set_param(f"lead_flow.{key}", value)
        self.admin_env = self.env(user=self.env.ref("base.user_admin"))

    def test_classify_now_for_managers_only(self):
        log = self.log_note(self.operator, "She wants the offer by Friday.")
        with self.assertRaises(AccessError):
            log.with_user(self.operator).action_ai_classify_now()
        self.assertEqual(self.server.requests, [])

        action = log.with_user(self.manager).action_ai_classify_now()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual((log.outcome, log.outcome_source), ("positive", "ai"))
        self.assertEqual(self.lead.lead_flow_outcome, "positive", "the latest note feeds the lead")
        self.assertEqual(log.ai_attempts, 1)

        # an AI outcome may be redone on request; an operator's never
        self.server.set_responder(lambda note, count: "negative")
        log.with_user(self.manager).action_ai_classify_now()
        self.assertEqual((log.outcome, log.outcome_source), ("negative", "ai"))
        manual = self.log_note(self.operator, "Signed.", outcome="positive")
        action = manual.with_user(self.manager).action_ai_classify_now()
        self.assertEqual(action["params"]["type"], "info")
        self.assertEqual((manual.outcome, manual.outcome_source), ("positive", "manual"))
        self.assertEqual(len(self.server.requests), 2)

    def test_classify_a_selection_reports_failures(self):
        first = self.log_note(self.operator, "good one")
        second = self.log_note(self.operator, "bad one")
        self.server.set_responder(
            lambda note, count: ("status", 500) if note == "bad one" else "partial"
        )
        self.ICP.set_param("lead_flow.ai_batch_size", "1")  # two batches, one note each
        with self.assertLogs("odoo.addons.lead_flow.models.lead_flow_log_ai", "WARNING"):
            action = (first | second).with_user(self.manager).action_ai_classify_now()
        self.assertEqual(len(self.server.requests), 2, "each selected note is sent once")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("HTTP 500", action["params"]["message"])
        self.assertEqual(first.outcome_source, "ai")
        self.assertFalse(second.outcome_source)
        self.assertIn("500", second.ai_error)
        # the newest note failed, so the lead keeps the outcome of that note
        self.assertEqual(self.lead.lead_flow_outcome, "unclassified")

    def test_list_action_is_for_managers(self):
        action = self.env.ref("lead_flow.action_lead_flow_log_ai_classify")
        self.assertEqual(action.binding_model_id.model, "lead.flow.log")
        self.assertEqual(action.groups_id, self.env.ref("lead_flow.group_lead_flow_manager"))

    def test_classify_now_refuses_when_disabled_or_without_key(self):
        log = self.log_note(self.operator, "Call me back.")
        self.ICP.set_param("lead_flow.ai_enabled", "False")
        with self.assertRaisesRegex(UserError, "disabled"):
            log.with_user(self.manager).action_ai_classify_now()
        self.ICP.set_param("lead_flow.ai_enabled", "True")
        self.ICP.set_param("lead_flow.ai_api_key", False)
        with self.assertRaisesRegex(UserError, "API key"):
            log.with_user(self.manager).action_ai_classify_now()
        self.ICP.set_param("lead_flow.ai_api_key", "sk-test-fake")
        self.ICP.set_param("lead_flow.ai_max_per_run", "1")
        other = self.log_note(self.operator, "Second call.")
        with self.assertRaisesRegex(UserError, "at most 1 notes"):
            (log | other).with_user(self.manager).action_ai_classify_now()
        self.assertEqual(self.server.requests, [])

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------
    def test_settings_round_trip_and_privacy_default(self):
        settings = self.admin_env["res.config.settings"].create({})
        self.assertTrue(settings.lead_flow_ai_send_only_text, "privacy is on by default")
        with Form(self.admin_env["res.config.settings"]) as form:
            form.lead_flow_ai_max_per_run = 50
            form.lead_flow_ai_timeout = 10
            form.lead_flow_ai_concurrency = 3
            form.lead_flow_ai_send_only_text = False
        form.record.execute()
        self.assertEqual(self.ICP.get_param("lead_flow.ai_max_per_run"), "50")
        self.assertEqual(self.ICP.get_param("lead_flow.ai_timeout"), "10")
        self.assertEqual(self.ICP.get_param("lead_flow.ai_concurrency"), "3")
        self.assertEqual(self.ICP.get_param("lead_flow.ai_send_only_text"), "False")
        self.assertFalse(
            self.admin_env["res.config.settings"].create({}).lead_flow_ai_send_only_text
        )
        for field, value in (
            ("lead_flow_ai_max_per_run", 0),
            ("lead_flow_ai_timeout", 0),
            ("lead_flow_ai_concurrency", 100),
        ):
            with self.subTest(field=field), self.assertRaises(ValidationError):
                self.admin_env["res.config.settings"].create({field: value}).execute()

    def test_connection_button(self):
        settings = self.admin_env["res.config.settings"].create({})
        action = settings.action_lead_flow_ai_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("fake-model", action["params"]["message"])

        self.server.set_responder(lambda note, count: ("status", 401))
        with self.assertRaisesRegex(UserError, "refused the API key"):
            settings.action_lead_flow_ai_test_connection()
        self.server.set_responder(lambda note, count: ("status", 404))
        with self.assertRaisesRegex(UserError, "does not know the model"):
            settings.action_lead_flow_ai_test_connection()
        self.server.set_responder(lambda note, count: ("content", "yes"))
        with self.assertRaisesRegex(UserError, "not as expected"):
            settings.action_lead_flow_ai_test_connection()

        closed = FakeOpenAI()  # a port nobody listens on any more
        url = closed.base_url
        closed.httpd.server_close()
        settings.lead_flow_ai_base_url = url
        with self.assertRaisesRegex(UserError, "Could not reach"):
            settings.action_lead_flow_ai_test_connection()
        settings.lead_flow_ai_api_key = False
        self.ICP.set_param("lead_flow.ai_api_key", False)
        with self.assertRaisesRegex(UserError, "API key"):
            settings.action_lead_flow_ai_test_connection()
