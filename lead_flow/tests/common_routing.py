from datetime import timedelta

from odoo import fields

from .common import LeadFlowCase


class RoutingCase(LeadFlowCase):
    """A queue of five leads only (the scope keeps other leads out), the default queue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(
            "lead_flow.queue_domain", "[('name', '=like', 'LFR %')]"
        )
        cls.env["ir.config_parameter"].set_param("lead_flow.calling_hours", "")
        cls.leads = cls.env["crm.lead"].create(
            [{"name": f"LFR {i}", "type": "lead", "user_id": False} for i in range(5)]
        )
        # Queue order: the first created first (none contacted, same priority).
        cls.leads.sudo().write({"priority": "1"})

    def setUp(self):
        super().setUp()
        # Like browser tests, run the claim on the test transaction (see lead_flow_claim_next).
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)

    def claim(self, user, queue=False):
        lead_id = (
            self.env["crm.lead"]
            .with_user(user)
            .lead_flow_claim_next(queue_id=queue.id if queue else False)
        )
        return self.env["crm.lead"].browse(lead_id)

    def release(self, lead):
        lead.sudo().write({"lead_flow_reserved_user_id": False, "lead_flow_reserved_at": False})

    def move_callback(self, lead, minutes_from_now):
        """As if time had passed: the callback is now due ``minutes_from_now`` (<0: past)."""
        lead.sudo().write(
            {"lead_flow_callback_at": fields.Datetime.now() + timedelta(minutes=minutes_from_now)}
        )

    def in_queue_list(self, user):
        return self.env["crm.lead"].with_user(user).search([("lead_flow_in_queue", "=", True)])
