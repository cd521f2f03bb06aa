from odoo.tests import TransactionCase, new_test_user

MANAGER = "lead_flow.group_lead_flow_manager"
OWN_DOCS = "sales_team.group_sale_salesman"
PORTAL = "base.group_portal"


class LeadOrderCase(TransactionCase):
    """Two lead buyers with their portal admins, a Lead Flow manager, an own-documents
    salesperson, and helpers to make orders and new leads in an area of our own (a tag no
    demo lead has), so that distributing "all leads" only meets the test's leads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Partner = env["res.partner"]
        cls.buyer_a = Partner.create(
            {"name": "LFO Dealer A", "is_company": True, "lead_flow_is_buyer": True}
        )
        cls.buyer_b = Partner.create(
            {"name": "LFO Dealer B", "is_company": True, "lead_flow_is_buyer": True}
        )
        cls.a_admin = cls._buyer_user("lfo_a_admin", cls.buyer_a, lead_flow_buyer_admin=True)
        cls.a_user = cls._buyer_user("lfo_a_user", cls.buyer_a)
        cls.b_admin = cls._buyer_user("lfo_b_admin", cls.buyer_b, lead_flow_buyer_admin=True)
        cls.manager = new_test_user(
            env, "lfo_manager", groups=f"base.group_user,{MANAGER}", name="Mia Manager"
        )
        cls.salesman = new_test_user(
            env, "lfo_salesman", groups=f"base.group_user,{OWN_DOCS}", name="Sid Sales"
        )
        cls.be = env.ref("base.be")
        cls.fr = env.ref("base.fr")
        cls.us = env.ref("base.us")
        cls.tag = env["crm.tag"].create({"name": "LFO Solar"})
        cls.tag_other = env["crm.tag"].create({"name": "LFO Roofing"})
        cls.reason = env["lead.flow.return.reason"].search([], limit=1)

    @classmethod
    def _buyer_user(cls, login, buyer, **vals):
        user = new_test_user(
            cls.env,
            login,
            groups=PORTAL,
            name=login.replace("_", " ").title(),
            email=f"{login}@example.com",
        )
        user.partner_id.parent_id = buyer
        if vals:
            user.write(vals)
        return user

    def make_order(self, buyer=None, confirm=True, **vals):
        """An order for our tag (unless given other lead types), opened unless told not."""
        order = self.env["lead.flow.order"].create(
            {
                "buyer_id": (buyer or self.buyer_a).id,
                "quantity": 10,
                "price_unit": 25.0,
                "tag_ids": [(6, 0, self.tag.ids)],
                **vals,
            }
        )
        if confirm:
            order.action_confirm()
        return order

    def make_leads(self, count, country=None, tags=None, **vals):
        tags = self.tag if tags is None else tags
        return self.env["crm.lead"].create(
            [
                {
                    "name": f"LFO lead {index}",
                    "type": "lead",
                    "country_id": (country or self.be).id,
                    "tag_ids": [(6, 0, tags.ids)],
                    **vals,
                }
                for index in range(count)
            ]
        )

    def distribute(self, leads=None):
        """The distributor as the cron runs it over every lead (our tag keeps demo leads
        out), or over ``leads`` as the button does."""
        Lead = self.env["crm.lead"]
        return Lead.lead_flow_distribute(leads.ids) if leads else Lead.lead_flow_distribute()

    def deliveries(self, order):
        return self.env["lead.flow.delivery"].search([("order_id", "=", order.id)])
