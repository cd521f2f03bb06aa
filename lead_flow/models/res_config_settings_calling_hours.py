from odoo import fields, models

from ..lib import calling_hours


# Settings with a mixin: pylint-odoo takes any _inherit list on a TransientModel for a wizard.
class ResConfigSettings(models.TransientModel):  # pylint: disable=no-wizard-in-models
    """Calling hours of every queue without its own, as a weekly table in Settings > CRM >
    Lead Flow (lead.flow.calling.hours.mixin), kept in the system parameter
    lead_flow.calling_hours (empty = any time)."""

    _name = "res.config.settings"  # with an _inherit list, Odoo needs the _name
    _inherit = ["res.config.settings", "lead.flow.calling.hours.mixin"]
    _lead_flow_calling_hours_field = "lead_flow_calling_hours"

    lead_flow_calling_hours = fields.Char(
        "Calling hours",
        config_parameter=calling_hours.PARAM,
        help='Per weekday (0 = Monday), e.g. {"0": [9.0, 20.0]}; empty = any time.',
    )
