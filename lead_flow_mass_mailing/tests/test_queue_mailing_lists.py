from odoo.addons.lead_flow.tests.common import LeadFlowCase
from odoo.tests import Form, tagged


@tagged("post_install", "-at_install")
class TestQueueMailingLists(LeadFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "lead_flow.queue_domain", "[('name', '=like', 'LFM %')]"
        )
        Lead = cls.env["crm.lead"]
        cls.subscribed = Lead.create(
            {"name": "LFM subscribed", "email_from": "Ann <ANN@shop.example>"}
        )
        cls.opted_out = Lead.create({"name": "LFM opted out", "email_from": "bob@shop.example"})
        cls.other_list = Lead.create({"name": "LFM other list", "email_from": "cid@shop.example"})
        cls.no_email = Lead.create({"name": "LFM no email"})
        cls.newsletter = cls.env["mailing.list"].create({"name": "Newsletter"})
        cls.partners = cls.env["mailing.list"].create({"name": "Partners"})
        Contact = cls.env["mailing.contact"]
        Contact.create({"email": "ann@shop.example", "list_ids": [(4, cls.newsletter.id)]})
        Contact.create(
            {
                "email": "bob@shop.example",
                "subscription_ids": [(0, 0, {"list_id": cls.newsletter.id, "opt_out": True})],
            }
        )
        Contact.create({"email": "cid@shop.example", "list_ids": [(4, cls.partners.id)]})

    def queue(self):
        return (
            self.env["crm.lead"]
            .with_user(self.operator)
            .search([("lead_flow_in_queue", "=", True)])
        )

    def test_without_lists_the_queue_is_not_limited(self):
        self.assertEqual(
            self.queue(), self.subscribed | self.opted_out | self.other_list | self.no_email
        )

    def test_lists_from_settings_limit_queue_and_next_lead(self):
        admin_env = self.env(user=self.env.ref("base.user_admin"))
        with Form(admin_env["res.config.settings"]) as form:
            form.lead_flow_queue_mailing_list_ids.add(self.newsletter)
        form.record.execute()
        self.assertEqual(self.queue(), self.subscribed, "opted-out and other lists are out")
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        Lead = self.env["crm.lead"].with_user(self.operator)
        self.assertEqual(Lead.lead_flow_claim_next(), self.subscribed.id)
        self.assertFalse(Lead.lead_flow_claim_next())
        reopened = admin_env["res.config.settings"].create({})
        self.assertEqual(reopened.lead_flow_queue_mailing_list_ids, self.newsletter)
