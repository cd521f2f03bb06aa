from odoo.tests import new_test_user

PORTAL = "base.group_portal"


class LeadFlowPortalMixin:
    """Two lead buyers and their users, shared by the Lead Portal tests.

    Buyer A (Dealer A): an admin; a downline chain top -> mid -> low where top and mid
    have View downline; a plain user; a disabled user. Buyer B (Dealer B): an admin and
    a user. One lead per user of A, one of A with no user, one per user of B, and one
    lead delivered to nobody.
    """

    @classmethod
    def _lead_flow_portal_setup(cls):
        env = cls.env
        Partner = env["res.partner"]
        cls.buyer_a = Partner.create(
            {"name": "Dealer A", "is_company": True, "lead_flow_is_buyer": True}
        )
        cls.buyer_b = Partner.create(
            {"name": "Dealer B", "is_company": True, "lead_flow_is_buyer": True}
        )

        def buyer_user(login, buyer, **vals):
            user = new_test_user(
                env,
                login,
                groups=PORTAL,
                name=login.replace("_", " ").title(),
                email=f"{login}@example.com",
                password=f"{login}_pw_123",
            )
            user.partner_id.parent_id = buyer
            if vals:
                user.write(vals)
            return user

        cls.a_admin = buyer_user("a_admin", cls.buyer_a, lead_flow_buyer_admin=True)
        cls.a_top = buyer_user("a_top", cls.buyer_a, lead_flow_view_downline=True)
        cls.a_mid = buyer_user(
            "a_mid",
            cls.buyer_a,
            lead_flow_view_downline=True,
            lead_flow_buyer_parent_id=cls.a_top.id,
        )
        cls.a_low = buyer_user("a_low", cls.buyer_a, lead_flow_buyer_parent_id=cls.a_mid.id)
        cls.a_plain = buyer_user("a_plain", cls.buyer_a)
        cls.a_disabled = buyer_user("a_disabled", cls.buyer_a)
        cls.b_admin = buyer_user("b_admin", cls.buyer_b, lead_flow_buyer_admin=True)
        cls.b_user = buyer_user("b_user", cls.buyer_b)

        Lead = env["crm.lead"]

        def lead(name, buyer=None, user=None, **vals):
            record = Lead.create(
                {
                    "name": name,
                    "type": "lead",
                    "email_from": f"{name.split()[-1].lower()}@customer.example",
                    **vals,
                }
            )
            if buyer:
                record.lead_flow_deliver(buyer.id, user.id if user else False)
            return record

        cls.lead_top = lead("LFP lead Top", cls.buyer_a, cls.a_top, phone="+1 555 0101")
        cls.lead_mid = lead("LFP lead Mid", cls.buyer_a, cls.a_mid)
        cls.lead_low = lead("LFP lead Low", cls.buyer_a, cls.a_low)
        cls.lead_plain = lead("LFP lead Plain", cls.buyer_a, cls.a_plain)
        cls.lead_disabled = lead("LFP lead Disabled", cls.buyer_a, cls.a_disabled)
        cls.lead_a_none = lead("LFP lead Unassigned", cls.buyer_a)
        cls.lead_b = lead("LFP lead Bravo", cls.buyer_b, cls.b_user)
        cls.lead_free = lead("LFP lead Free")
        cls.a_disabled.active = False
        cls.leads_a = (
            cls.lead_top
            + cls.lead_mid
            + cls.lead_low
            + cls.lead_plain
            + cls.lead_disabled
            + cls.lead_a_none
        )
        cls.reason = env["lead.flow.return.reason"].search([], limit=1)
        cls.visible_type = env["lead.flow.log.type"].create(
            {
                "name": "LFP Visible to buyers",
                "code": "lfp_visible",
                "lead_flow_buyer_visible": True,
            }
        )
        cls.internal_type = env["lead.flow.log.type"].create(
            {"name": "LFP Internal", "code": "lfp_internal"}
        )
