from odoo import api, fields, models

from .crm_lead_history import ARCHIVE_CONTACT_DEFAULT, ARCHIVE_CONTACT_KEY, ARCHIVE_CONTACTS
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
    lead_flow_archive_contact = fields.Selection(
        ARCHIVE_CONTACTS,
        string="Who may file e-mail",
        config_parameter=ARCHIVE_CONTACT_KEY,
        default=ARCHIVE_CONTACT_DEFAULT,
        required=True,
        help="Who may file an e-mail in a lead's history by sending it to the lead's archive "
        "address. Internal users: the sender's address is that of an active internal user. "
        "The lead's contacts and followers: also the lead's e-mail, its customer and the "
        "contacts of the customer's company, and the lead's followers. Mail from anyone "
        "else is bounced back to the sender.",
    )

    @api.model
    def _lead_flow_id_list_settings(self):
        return {**super()._lead_flow_id_list_settings(), **HISTORY_GROUP_SETTINGS}
