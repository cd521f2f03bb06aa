"""Browser tours (headless Chromium) of the operator, manager and admin flows."""

from odoo.tests import HttpCase, new_test_user, tagged

from .common import ALL_LEADS, MANAGER, OPERATOR

QUEUE_URL = "/odoo/action-lead_flow.action_lead_flow_queue"
REPORT_URL = "/odoo/action-lead_flow.action_lead_flow_report"


@tagged("post_install", "-at_install")
class TestLeadFlowTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = f"base.group_user,{ALL_LEADS}"
        cls.operator = new_test_user(
            cls.env, "tour_operator", groups=f"{groups},{OPERATOR}", name="Tour Operator"
        )
        cls.manager = new_test_user(
            cls.env, "tour_manager", groups=f"{groups},{MANAGER}", name="Tour Manager"
        )
        ICP = cls.env["ir.config_parameter"].sudo()
        # The tours work on their own leads, whatever demo data the database holds.
        ICP.set_param("lead_flow.queue_domain", "[('name', '=like', 'Tour lead %')]")
        ICP.set_param("lead_flow.reservation_hours", "24")
        # The operator tour checks that a note keeps the lead reserved: no retry rule on
        # its outcome requeues (and frees) it.
        cls.env["lead.flow.retry.rule"].search([]).active = False
        Lead = cls.env["crm.lead"]
        cls.aurora = Lead.create(
            {"name": "Tour lead Aurora", "type": "lead", "priority": "3", "phone": "+1 555 0100"}
        )
        cls.boreal = Lead.create(
            {"name": "Tour lead Boreal", "type": "lead", "phone": "+1 555 0199"}
        )
        cls.tag = cls.env["crm.tag"].create({"name": "Tour callback tag"})
        cls.template = cls.env["lead.flow.note.template"].create(
            {
                "name": "Tour call back",
                "body": "Busy, call back tomorrow.",
                "tag_ids": [(4, cls.tag.id)],
                "outcome": "partial",
                "sequence": 1,
            }
        )

    def test_operator_next_lead_predefined_note(self):
        self.start_tour(QUEUE_URL, "lead_flow_operator_tour", login="tour_operator")
        lead = self.aurora
        self.assertEqual(lead.lead_flow_reserved_user_id, self.operator)
        self.assertIn(self.tag, lead.tag_ids)
        self.assertEqual(lead.lead_flow_state, "in_progress")
        self.assertEqual(lead.lead_flow_outcome, "partial")
        entry = lead.lead_flow_log_ids.filtered(lambda log: log.origin == "manual")
        self.assertEqual(entry.template_id, self.template)
        self.assertEqual(entry.user_id, self.operator)
        self.assertFalse(self.boreal.lead_flow_reserved_user_id, "Next lead reserved one lead only")

    def test_manager_report_and_undo(self):
        log_id = self.boreal.with_user(self.operator).lead_flow_log_note("Wrong number")
        self.start_tour(REPORT_URL, "lead_flow_manager_report_tour", login="tour_manager")
        self.start_tour(
            f"/odoo/action-lead_flow.action_lead_flow_log/{log_id}",
            "lead_flow_manager_undo_tour",
            login="tour_manager",
        )
        entry = self.env["lead.flow.log"].browse(log_id)
        self.assertTrue(entry.undone)
        self.assertEqual(entry.undone_by_id, self.manager)
        self.assertTrue(entry.exists(), "an undone entry stays in the history")

    def test_admin_changes_settings(self):
        self.start_tour("/odoo/settings#crm", "lead_flow_admin_settings_tour", login="admin")
        hours = self.env["ir.config_parameter"].sudo().get_param("lead_flow.reservation_hours")
        self.assertEqual(hours, "12")

    def test_operator_returns_a_lead_and_a_manager_approves(self):
        lead = self.env["crm.lead"].create(
            {"name": "Tour lead Return", "type": "lead", "user_id": self.operator.id}
        )
        self.start_tour(
            f"/odoo/action-crm.crm_lead_all_leads/{lead.id}",
            "lead_flow_return_request_tour",
            login="tour_operator",
        )
        ret = lead.lead_flow_return_ids
        self.assertEqual(
            (ret.state, ret.user_id, ret.reason_id),
            ("pending", self.operator, self.env.ref("lead_flow.return_reason_duplicate")),
        )
        self.assertEqual(ret.note, "Same customer as yesterday.")
        self.start_tour(
            "/odoo/action-lead_flow.action_lead_flow_return",
            "lead_flow_return_approve_tour",
            login="tour_manager",
        )
        self.assertEqual((ret.state, ret.decided_by_id), ("approved", self.manager))
        self.assertFalse(lead.active, "an approved return marks the lead lost")
