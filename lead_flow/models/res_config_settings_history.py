from odoo import Command, api, fields, models

from .lead_flow_log_undo import DELETE_DOCUMENT_KEY
from .mail_activity import REOPEN_ACTIVITY_KEY

HISTORY_GROUP_SETTINGS = {
    "lead_flow_reopen_activity_group_ids": REOPEN_ACTIVITY_KEY,
    "lead_flow_delete_document_group_ids": DELETE_DOCUMENT_KEY,
}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    lead_flow_reopen_activity_group_ids = fields.Many2many(
        "res.groups",
        "lead_flow_settings_reopen_group_rel",
        string="Roles that reopen done activities",
        help="Members of these groups may reopen a lead's done activities.",
    )
    lead_flow_delete_document_group_ids = fields.Many2many(
        "res.groups",
        "lead_flow_settings_delete_doc_group_rel",
        string="Roles that delete documents",
        help="Members of these groups may delete a document from a lead's history. "
        "The deletion is recorded with who and when.",
    )

    @api.model
    def get_values(self):
        res = super().get_values()
        ICP = self.env["ir.config_parameter"].sudo()
        for fname, key in HISTORY_GROUP_SETTINGS.items():
            raw = ICP.get_param(key, "")
            ids = [int(x) for x in raw.split(",") if x.strip().isdigit()]
            res[fname] = [Command.set(self.env["res.groups"].sudo().browse(ids).exists().ids)]
        return res

    def set_values(self):
        res = super().set_values()
        ICP = self.env["ir.config_parameter"].sudo()
        for fname, key in HISTORY_GROUP_SETTINGS.items():
            ICP.set_param(key, ",".join(str(gid) for gid in self[fname].ids))
        return res
