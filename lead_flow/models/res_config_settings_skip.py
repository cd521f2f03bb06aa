from odoo import api, fields, models

from .crm_lead_skip import SKIP_GROUPS_KEY


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    lead_flow_skip_group_ids = fields.Many2many(
        "res.groups",
        "lead_flow_settings_skip_group_rel",
        string="Roles that may skip",
        help="Operators of these groups may skip a lead (with a reason) instead of calling it.",
    )

    @api.model
    def _lead_flow_id_list_settings(self):
        return {
            **super()._lead_flow_id_list_settings(),
            "lead_flow_skip_group_ids": SKIP_GROUPS_KEY,
        }
