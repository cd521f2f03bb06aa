from odoo import api, fields, models


class LeadFlowOrder(models.Model):
    _inherit = "lead.flow.order"

    def _lead_flow_return_rate(self, extra=0):
        """Returns (approved and pending, plus ``extra``) per lead delivered, in percent."""
        self.ensure_one()
        pending = (
            self.env["lead.flow.return"]
            .sudo()
            .search_count([("lead_flow_order_id", "=", self.id), ("state", "=", "pending")])
        )
        returns = self.returned_count + pending + extra
        return 100.0 * returns / max(self.delivered_count, 1)

    def _lead_flow_return_warning(self):
        """The warning of a new return request when it takes the order over its maximum
        return rate, else False."""
        self.ensure_one()
        if not self.max_return_percent:
            return False
        rate = self._lead_flow_return_rate(extra=1)
        if rate <= self.max_return_percent:
            return False
        return self.env._(
            "With this request, order %(order)s has %(rate).0f%% of its leads returned, over "
            "its maximum of %(max).0f%%.",
            order=self.name,
            rate=rate,
            max=self.max_return_percent,
        )


class LeadFlowReturn(models.Model):
    """Returns of leads delivered under an order: an approved one gives the order its lead
    back (not billed, or credited); over the order's maximum return rate, a new request
    carries a warning and an activity for the order's account manager."""

    _inherit = "lead.flow.return"

    lead_flow_order_id = fields.Many2one("lead.flow.order", string="Lead order", readonly=True)
    lead_flow_order_warning = fields.Char("Order warning", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        Lead = self.env["crm.lead"].sudo()
        for vals in vals_list:
            order = Lead.browse(vals.get("lead_id")).lead_flow_order_id
            if order:
                vals["lead_flow_order_id"] = order.id
                vals["lead_flow_order_warning"] = order._lead_flow_return_warning()
        returns = super().create(vals_list)
        for ret in returns.filtered("lead_flow_order_warning"):
            order = ret.lead_flow_order_id
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(order.user_id or self.env.ref("base.user_admin")).id,
                summary=self.env._("Return over the maximum rate: %s", ret.lead_id.display_name),
                note=ret.lead_flow_order_warning,
            )
        return returns

    def action_approve(self, note=False):
        res = super().action_approve(note=note)
        for ret in self.sudo().filtered("lead_flow_order_id"):
            delivery = ret.lead_id.lead_flow_delivery_ids.filtered(
                lambda d, r=ret: d.order_id == r.lead_flow_order_id and d.state == "delivered"
            )
            if not delivery:
                continue
            delivery.write({"state": "returned", "return_id": ret.id})
            # In SQL like the distributor's count: concurrent updates of one order conflict.
            self.env.cr.execute(
                "UPDATE lead_flow_order SET returned_count = COALESCE(returned_count, 0) + 1"
                " WHERE id = %s",
                (ret.lead_flow_order_id.id,),
            )
            ret.lead_flow_order_id.invalidate_recordset()  # the counters and their figures
            ret.lead_flow_order_id._lead_flow_credit(delivery)
        return res
