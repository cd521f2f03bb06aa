from odoo import fields, models


class CrmTag(models.Model):
    _inherit = "crm.tag"

    # Odoo's CRM tags cannot be archived; predefined notes must be able to refuse
    # tags that were retired, so we give tags the standard archive flag.
    active = fields.Boolean(default=True)
