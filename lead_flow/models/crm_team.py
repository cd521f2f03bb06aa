from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    lead_flow_purpose = fields.Selection(
        [("buying", "Buying"), ("selling", "Selling")],
        string="Lead Flow purpose",
        help="Limits the Log activity tiles of this team's leads to the activity types "
        "meant for this purpose. Empty: all tiles.",
    )
