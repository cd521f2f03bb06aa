from odoo import fields, models


class LeadFlowLogType(models.Model):
    _inherit = "lead.flow.log.type"

    lead_flow_buyer_visible = fields.Boolean(
        "Visible to buyers",
        help="Lead buyers see the entries of this type in the portal. Operators' notes of "
        "other types stay internal.",
    )
