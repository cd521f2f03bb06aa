from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common_routing import RoutingCase


@tagged("post_install", "-at_install")
class TestDoNotCall(RoutingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {"name": "Dora Dnc", "phone": "+32 470 11 22 33", "mobile": "+32 470 44 55 66"}
        )
        cls.leads[1].write({"partner_id": cls.partner.id, "phone": "+32 470 11 22 33"})
        # Another lead of the same person, with the same number.
        cls.leads[3].write({"phone": "+32 470 11 22 33"})

    def blacklisted(self, number):
        # Searching sanitizes the number as Odoo stores it (E.164 when phonenumbers is there).
        return bool(self.env["phone.blacklist"].search([("number", "=", number)]))

    def claim_all(self, user):
        claimed = self.env["crm.lead"]
        while lead := self.claim(user):
            claimed |= lead
        return claimed

    def test_reason_is_required_and_nothing_is_blocked_without(self):
        self.lead = self.leads[1]
        with self.assertRefused(ValidationError, "Say why"):
            self.leads[1].with_user(self.operator).lead_flow_do_not_call("  ")
        self.assertFalse(self.blacklisted("+32 470 11 22 33"))
        wizard = Form(
            self.env["lead.flow.note.wizard"]
            .with_user(self.operator)
            .with_context(default_lead_id=self.leads[1].id)
        )
        wizard.body = "Asked never to be called again."
        wizard.do_not_call = True
        wizard.do_not_call_reason = " "
        with self.assertRefused(ValidationError, "Say why"):
            wizard.save().action_log()

    def test_lead_without_number_says_so(self):
        with self.assertRaises(UserError):
            self.leads[0].with_user(self.operator).lead_flow_do_not_call("No phone anyway")

    def test_only_operators_with_write_access(self):
        with self.assertRaises(AccessError):
            self.leads[1].with_user(self.salesman).lead_flow_do_not_call("No thanks")
        self.assertFalse(self.blacklisted("+32 470 11 22 33"))

    def test_every_number_of_the_contact_is_blocked_for_every_queue(self):
        self.leads[1].with_user(self.operator).lead_flow_do_not_call("Asked not to be called")
        self.assertTrue(self.blacklisted("+32 470 11 22 33"))
        self.assertTrue(self.blacklisted("+32 470 44 55 66"), "the contact's mobile too")
        self.assertTrue(self.leads[1].phone_sanitized_blacklisted)
        self.assertIn("Asked not to be called", self.leads[1].message_ids[0].body)
        claimed = self.claim_all(self.operator_2)
        self.assertEqual(claimed, self.leads - self.leads[1] - self.leads[3])
        self.assertNotIn(self.leads[3], self.in_queue_list(self.operator_2))

    def test_a_number_blacklisted_elsewhere_leaves_the_queue_and_comes_back(self):
        # As SMS marketing's opt-out or the blacklist menu do it.
        entry = self.env["phone.blacklist"].sudo().add("+32 470 11 22 33")
        self.assertTrue(self.leads[3].phone_sanitized_blacklisted)
        self.assertNotIn(self.leads[3], self.claim_all(self.operator))
        self.leads.sudo().write({"lead_flow_reserved_user_id": False})
        entry.action_archive()
        self.leads.invalidate_recordset(["phone_sanitized_blacklisted"])
        self.assertFalse(self.leads[3].phone_sanitized_blacklisted)
        self.assertIn(self.leads[3], self.claim_all(self.operator))

    def test_a_lead_created_with_a_blacklisted_number_never_enters(self):
        self.env["phone.blacklist"].sudo().add("+32 470 99 88 77")
        lead = self.env["crm.lead"].create(
            {"name": "LFR new", "type": "lead", "phone": "+32 470 99 88 77"}
        )
        self.assertTrue(lead.phone_sanitized_blacklisted)
        self.assertNotIn(lead, self.claim_all(self.operator))
