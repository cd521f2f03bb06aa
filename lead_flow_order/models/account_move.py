from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    lead_flow_order_id = fields.Many2one(
        "lead.flow.order", string="Lead order", index="btree_not_null", copy=False
    )
