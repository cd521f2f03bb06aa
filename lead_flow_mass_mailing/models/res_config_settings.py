from odoo import api, fields, models

from .crm_lead import LISTS_KEY


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lead_flow_queue_mailing_list_ids = fields.Many2many(
        "mailing.list",
        "lead_flow_settings_mailing_list_rel",
        string="Only leads in these mailing lists",
        help="When set, the queue only shows leads whose e-mail is subscribed to one of these "
        "lists (and not opted out).",
    )

    @api.model
    def _lead_flow_id_list_settings(self):
        return {
            **super()._lead_flow_id_list_settings(),
            "lead_flow_queue_mailing_list_ids": LISTS_KEY,
        }
