"""The console is the operators' home: the screen Odoo opens when they log in."""

from odoo import api, models

from .crm_lead import OPERATOR_GROUP, TEAM_LEADER_GROUP

CONSOLE_ACTION = "lead_flow.action_lead_flow_console"


class ResUsers(models.Model):
    _inherit = "res.users"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        homeless = users.filtered(lambda user: not user.action_id)
        if homeless:
            homeless._lead_flow_set_console_home()
        return users

    @api.model
    def _lead_flow_set_console_home_all(self):
        """At install (the module's data): the console becomes the home of every operator
        that qualifies (see _lead_flow_set_console_home)."""
        users = self.with_context(active_test=False).search([("share", "=", False)])
        users._lead_flow_set_console_home()

    def _lead_flow_set_console_home(self):
        """Make the console the home action of those of these users who are operators,
        neither team leaders nor managers (they start from the dashboard or the CRM), and
        have no home action of their own."""
        console = self.env.ref(CONSOLE_ACTION, raise_if_not_found=False)
        if not console:  # the module's own data is still being loaded
            return
        operators = self.filtered(
            lambda user: (
                not user.action_id
                and user.has_group(OPERATOR_GROUP)
                and not user.has_group(TEAM_LEADER_GROUP)
            )
        )
        operators.sudo().write({"action_id": console.id})
