"""Browser tour (headless Chromium) of a lead buyer in the portal."""

from odoo.tests import tagged

from .common_http import LeadFlowPortalHttpCase


@tagged("post_install", "-at_install")
class TestLeadFlowPortalTour(LeadFlowPortalHttpCase):
    def test_buyer_tour(self):
        self.start_tour("/my/leads/dashboard", "lead_flow_portal_buyer_tour", login="a_plain")
        ret = self.lead_plain.lead_flow_return_ids
        self.assertEqual(
            (ret.state, ret.user_id, ret.note), ("pending", self.a_plain, "Not a real customer")
        )
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead_plain.id)]
        )
        self.assertEqual(attachment.raw, b"tour file")
        event = self.env["calendar.event"].search([("opportunity_id", "=", self.lead_plain.id)])
        self.assertEqual(event.name, "Tour visit")
        self.assertEqual(event.user_id, self.a_plain)
