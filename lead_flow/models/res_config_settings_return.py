from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .crm_lead_return import RETURN_MAX_RATE_KEY, RETURN_WINDOW_KEY


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    lead_flow_return_window_days = fields.Integer(
        "Return window (days)",
        config_parameter=RETURN_WINDOW_KEY,
        help="Leads can be returned within this many days after they were received. 0 = no limit.",
    )
    lead_flow_return_max_rate = fields.Integer(
        "Maximum return rate (%)",
        config_parameter=RETURN_MAX_RATE_KEY,
        help="A user who returned this share of the leads they received in the last 30 days "
        "cannot return more. 0 = no limit.",
    )

    @api.constrains("lead_flow_return_window_days", "lead_flow_return_max_rate")
    def _check_lead_flow_return_settings(self):
        for settings in self:
            if settings.lead_flow_return_window_days < 0:
                raise ValidationError(self.env._("The return window cannot be negative."))
            if not 0 <= settings.lead_flow_return_max_rate <= 100:
                raise ValidationError(
                    self.env._("The maximum return rate is a percentage from 0 to 100.")
                )
