from odoo import Command, api, fields, models

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
    def get_values(self):
        res = super().get_values()
        list_ids = self.env["crm.lead"]._lead_flow_queue_mailing_list_ids()
        lists = self.env["mailing.list"].sudo().browse(list_ids).exists()
        res["lead_flow_queue_mailing_list_ids"] = [Command.set(lists.ids)]
        return res

    def set_values(self):
        res = super().set_values()
        self.env["ir.config_parameter"].sudo().set_param(
            LISTS_KEY, ",".join(str(i) for i in self.lead_flow_queue_mailing_list_ids.ids)
        )
        return res
