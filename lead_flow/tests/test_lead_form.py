"""The lead form's header keeps the operator's call work; the rest is in its Action menu.
The console is the operators' home action."""

from lxml import etree

from odoo.tests import new_test_user, tagged

from .common import OPERATOR, TEAM_LEADER, LeadFlowCase

HEADER_BUTTONS = "//header/button"


@tagged("post_install", "-at_install")
class TestLeadForm(LeadFlowCase):
    def header(self, user):
        """The labels of the form's header buttons that ``user`` gets."""
        arch = self.env["crm.lead"].with_user(user).get_views([(False, "form")])["views"]
        form = etree.fromstring(arch["form"]["arch"])
        return {button.get("string") for button in form.xpath(HEADER_BUTTONS)}

    def gear(self, user, view_type="form"):
        """The names of the lead's Action-menu entries ``user`` gets in ``view_type``."""
        bindings = self.env["ir.actions.actions"].with_user(user).get_bindings("crm.lead")
        return {
            action["name"]
            for action in bindings.get("action", [])
            if view_type in (action.get("binding_view_types") or "list,form").split(",")
        }

    def test_header_keeps_the_call_work_and_the_gear_the_rest(self):
        header = self.header(self.operator)
        self.assertTrue({"Log call", "Log activity", "Next lead", "Return lead"} <= header)
        self.assertFalse({"Release", "Reassign", "Forward", "New appointment"} & header)
        # CRM's own buttons are still there.
        self.assertIn("Convert to Opportunity", header)
        gear = self.gear(self.operator)
        self.assertTrue({"Release", "Forward", "New appointment"} <= gear)
        self.assertNotIn("Reassign reservation", gear, "team leaders and managers only")
        self.assertIn("Reassign reservation", self.gear(self.manager))
        self.assertNotIn("Release", self.gear(self.salesman), "operators only")

    def test_gear_actions_act_on_the_lead(self):
        self.log_note(self.operator)  # the note reserves the lead
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator)
        release = self.env.ref("lead_flow.action_server_lead_flow_release")
        release.with_user(self.operator).with_context(
            active_model="crm.lead", active_id=self.lead.id, active_ids=self.lead.ids
        ).run()
        self.assertFalse(self.lead.lead_flow_reserved_user_id, "released from the gear menu")
        forward = self.env.ref("lead_flow.action_server_lead_flow_forward")
        action = (
            forward.with_user(self.operator)
            .with_context(active_model="crm.lead", active_id=self.lead.id, active_ids=self.lead.ids)
            .run()
        )
        self.assertEqual((action["res_model"], action["target"]), ("mail.compose.message", "new"))
        self.assertEqual(action["context"]["default_res_ids"], self.lead.ids)
        for xmlid, key, value in (
            ("lead_flow.action_lead_flow_appointment_wizard", "default_lead_id", "active_id"),
            ("lead_flow.action_lead_flow_reassign_wizard", "default_lead_ids", "active_ids"),
        ):
            context = self.env.ref(xmlid).context
            self.assertIn(f"'{key}': {value}", context, "the dialog opens on the lead(s)")


@tagged("post_install", "-at_install")
class TestConsoleHome(LeadFlowCase):
    def test_operators_start_from_the_console(self):
        console = self.env.ref("lead_flow.action_lead_flow_console")
        self.assertEqual(self.operator.action_id.id, console.id)
        self.assertFalse(self.manager.action_id, "managers keep Odoo's home")
        self.assertFalse(self.salesman.action_id)
        leader = new_test_user(self.env, "lf_home_leader", groups=f"base.group_user,{TEAM_LEADER}")
        self.assertFalse(leader.action_id, "team leaders keep Odoo's home")
        pipeline = self.env.ref("crm.crm_lead_action_pipeline")
        chose = new_test_user(
            self.env, "lf_home_chose", groups=f"base.group_user,{OPERATOR}", action_id=pipeline.id
        )
        self.assertEqual(chose.action_id.id, pipeline.id, "a home action of one's own stays")

    def test_install_gives_existing_operators_the_console(self):
        self.operator.action_id = False
        self.manager.action_id = False
        self.env["res.users"]._lead_flow_set_console_home_all()  # what the data runs
        console = self.env.ref("lead_flow.action_lead_flow_console")
        self.assertEqual(self.operator.action_id.id, console.id)
        self.assertFalse(self.manager.action_id)
