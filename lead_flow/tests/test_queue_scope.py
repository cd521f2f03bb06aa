from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LeadFlowCase

BROKEN_SCOPES = (
    "[('no_such_field', '=', 1)]",  # a field an uninstalled module took away
    "[('name', '=like'",  # edited by hand in the database
    "{'name': 'not a list'}",
    "[('name', 'resembles', 'LFS')]",
)


@tagged("post_install", "-at_install")
class TestQueueScope(LeadFlowCase):
    def setUp(self):
        super().setUp()
        self.registry.enter_test_mode(self.cr)  # the claim runs on the test transaction
        self.addCleanup(self.registry.leave_test_mode)
        self.ICP = self.env["ir.config_parameter"].sudo()
        self.scoped = self.env["crm.lead"].create({"name": "LFS scoped lead", "type": "lead"})
        self.ICP.set_param("lead_flow.queue_domain", "[('name', '=like', 'LFS %')]")

    def test_a_broken_scope_closes_the_queue_and_says_why(self):
        Lead = self.env["crm.lead"].with_user(self.operator)
        self.assertEqual(Lead.search([("lead_flow_in_queue", "=", True)]), self.scoped)
        for raw in BROKEN_SCOPES:
            with self.subTest(scope=raw):
                self.ICP.set_param("lead_flow.queue_domain", raw)
                with self.assertLogs("odoo.addons.lead_flow.models.crm_lead_queue", "ERROR") as log:
                    queue = Lead.search([("lead_flow_in_queue", "=", True)])
                self.assertFalse(queue, "no lead rather than every lead")
                self.assertIn("queue scope", log.output[0])
                with self.assertRaises(UserError) as caught:
                    Lead.lead_flow_claim_next()
                self.assertEqual(
                    str(caught.exception), "The queue scope is invalid: ask an administrator."
                )
                self.assertFalse(self.scoped.lead_flow_reserved_user_id)
        self.ICP.set_param("lead_flow.queue_domain", "[('name', '=like', 'LFS %')]")
        self.assertEqual(Lead.lead_flow_claim_next(), self.scoped.id, "fixed: open again")
