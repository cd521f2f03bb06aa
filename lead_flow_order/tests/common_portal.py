import html as htmllib
import re
from datetime import date

from odoo.addons.lead_flow_portal.tests.common_http import LeadFlowPortalHttpCase


def text(markup):
    """The visible text of some HTML, on one line (tags out, spaces collapsed)."""
    plain = re.sub(r"<[^>]+>", " ", markup).replace("&nbsp;", " ").replace("\xa0", " ")
    return " ".join(htmllib.unescape(plain).split())


class LeadFlowOrderPortalCase(LeadFlowPortalHttpCase):
    """The Lead Portal's buyers and users (lead_flow_portal/tests/common.py) with orders:

    Buyer A: ``order_a``, open, 10 leads at 20.00 with a 50% return rate: 5 leads
    delivered by the distributor, one of them returned; 3 billed on a posted invoice
    paid 25.00, the last one on a draft invoice. ``order_a_closed``, closed, the buyer's
    latest (price 15.00). Buyer B: ``order_b``, open.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Order = env["lead.flow.order"]
        cls.order_tag = env["crm.tag"].create({"name": "LFOP Solar"})
        common = {"tag_ids": [(6, 0, cls.order_tag.ids)], "date_start": date(2026, 1, 1)}
        cls.order_a = Order.create(
            {
                "buyer_id": cls.buyer_a.id,
                "quantity": 10,
                "price_unit": 20.0,
                "max_return_percent": 50.0,
                "date_end": date(2099, 12, 31),
                "renewal": "on_fill",
                "auto_charge": True,
                **common,
            }
        )
        cls.order_a.action_confirm()
        cls.order_b = Order.create(
            {"buyer_id": cls.buyer_b.id, "quantity": 7, "price_unit": 30.0, **common}
        )
        cls.order_b.action_confirm()
        cls.order_leads = env["crm.lead"].create(
            [
                {"name": f"LFOP lead {index}", "type": "lead", "tag_ids": common["tag_ids"]}
                for index in range(5)
            ]
        )
        # order_b waits while order_a takes every lead.
        cls.order_b.action_pause()
        env["crm.lead"].lead_flow_distribute(cls.order_leads[:4].ids)
        returned = cls.order_leads[0]
        ret = returned.with_user(cls.a_admin).lead_flow_portal_return(cls.reason.id, "Wrong")
        env["lead.flow.return"].browse(ret).action_approve()
        cls.invoice = cls.order_a._lead_flow_invoice(post=True)
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoice.ids
        ).create({"amount": 25.0})._create_payments()
        env["crm.lead"].lead_flow_distribute(cls.order_leads[4:].ids)
        cls.draft_invoice = cls.order_a._lead_flow_invoice(post=False)
        cls.order_b.action_resume()
        cls.order_a_closed = Order.create(
            {"buyer_id": cls.buyer_a.id, "quantity": 5, "price_unit": 15.0, **common}
        )
        cls.order_a_closed.action_close()

    def row(self, html, order):
        """The text of ``order``'s row in the list /my/orders, '' when it is not listed."""
        match = re.search(
            rf'<tr class="o_lead_flow_order_row o_lead_flow_order_{order.id}">(.*?)</tr>',
            html,
            re.S,
        )
        return text(match.group(1)) if match else ""
