"""The operator console in headless Chromium: three leads worked from the keyboard."""

from odoo.tests import HttpCase, new_test_user, tagged

from .common import ALL_LEADS, MANAGER, OPERATOR

CONSOLE_URL = "/odoo/action-lead_flow.action_lead_flow_console"


@tagged("post_install", "-at_install")
class TestConsoleTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env,
            "console_operator",
            groups=f"base.group_user,{ALL_LEADS},{OPERATOR}",
            name="Console Operator",
            tz="Europe/Brussels",
        )
        ICP = cls.env["ir.config_parameter"].sudo()
        ICP.set_param("lead_flow.queue_domain", "[('name', '=like', 'Console lead %')]")
        ICP.set_param("lead_flow.calling_hours", "")
        Lead = cls.env["crm.lead"]
        cls.aurora, cls.boreal, cls.cirrus = Lead.create(
            [
                {
                    "name": "Console lead Aurora",
                    "type": "lead",
                    "priority": "3",
                    "phone": "+1 555 0100",
                    "user_id": False,
                },
                {
                    "name": "Console lead Boreal",
                    "type": "lead",
                    "priority": "2",
                    "phone": "+1 555 0101",
                    "user_id": False,
                },
                {
                    "name": "Console lead Cirrus",
                    "type": "lead",
                    "priority": "1",
                    "phone": "+1 555 0102",
                    "user_id": False,
                },
            ]
        )
        Tag = cls.env["crm.tag"]
        cls.tag_callback = Tag.create({"name": "Console callback tag"})
        cls.tag_no = Tag.create({"name": "Console not interested tag"})
        Template = cls.env["lead.flow.note.template"]
        cls.tmpl_call_back = Template.create(
            {
                "name": "Console call back",
                "body": "Busy, call back tomorrow.",
                "tag_ids": [(4, cls.tag_callback.id)],
                "outcome": "partial",
                "sequence": -2,
            }
        )
        cls.tmpl_no = Template.create(
            {
                "name": "Console not interested",
                "body": "Not interested.",
                "tag_ids": [(4, cls.tag_no.id)],
                "outcome": "negative",
                "closes_lead": True,
                "sequence": -1,
            }
        )

    def test_operator_works_three_leads_from_the_keyboard(self):
        self.start_tour(CONSOLE_URL, "lead_flow_console_keyboard_tour", login="console_operator")
        notes = {
            lead: lead.lead_flow_log_ids.filtered(lambda log: log.origin == "manual")
            for lead in (self.aurora, self.boreal, self.cirrus)
        }
        # Aurora: the predefined note, its tag and outcome, a personal callback tomorrow.
        aurora = notes[self.aurora]
        self.assertEqual(
            (aurora.body, aurora.template_id, aurora.outcome, aurora.user_id),
            ("Busy, call back tomorrow.", self.tmpl_call_back, "partial", self.operator),
        )
        self.assertIn(self.tag_callback, self.aurora.tag_ids)
        self.assertTrue(self.aurora.lead_flow_callback_at)
        self.assertEqual(self.aurora.lead_flow_callback_user_id, self.operator)
        self.assertFalse(self.aurora.lead_flow_reserved_user_id, "a callback frees the lead")
        # Boreal: my own text, positive, still mine.
        boreal = notes[self.boreal]
        self.assertEqual(
            (boreal.body, boreal.outcome, boreal.template_id.id),
            ("Interested, sending the offer.", "positive", False),
        )
        self.assertEqual(self.boreal.lead_flow_reserved_user_id, self.operator)
        self.assertEqual(self.boreal.lead_flow_state, "in_progress")
        # Cirrus: the completing note, its tag; a completed lead keeps no reservation.
        cirrus = notes[self.cirrus]
        self.assertEqual((cirrus.template_id, cirrus.outcome), (self.tmpl_no, "negative"))
        self.assertIn(self.tag_no, self.cirrus.tag_ids)
        self.assertEqual(self.cirrus.lead_flow_state, "done")
        self.assertFalse(self.cirrus.lead_flow_reserved_user_id)

    def test_console_is_the_operators_home_and_opens_on_the_lead_in_hand(self):
        console = self.env.ref("lead_flow.action_lead_flow_console")
        self.assertEqual(self.operator.action_id.id, console.id, "operators start from the console")
        claimed = self.env["crm.lead"].with_user(self.operator).lead_flow_claim_next()
        self.assertEqual(claimed, self.aurora.id)
        # /odoo: the home action; the console shows the lead claimed and not worked yet.
        self.start_tour("/odoo", "lead_flow_console_home_tour", login="console_operator")

    def test_manager_dashboard_renders_its_graph(self):
        manager = new_test_user(
            self.env,
            "console_manager",
            groups=f"base.group_user,{ALL_LEADS},{MANAGER}",
            name="Console Manager",
        )
        self.cirrus.with_user(manager).lead_flow_log_note("Called from the dashboard test.")
        self.start_tour(
            "/odoo/action-lead_flow.action_lead_flow_dashboard_client",
            "lead_flow_dashboard_manager_tour",
            login="console_manager",
        )
