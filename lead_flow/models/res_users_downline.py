from odoo import api, fields, models, tools


class ResUsers(models.Model):
    _inherit = "res.users"

    lead_flow_view_downline = fields.Boolean(
        "View downline",
        help="Also sees the leads assigned to the members of the sales teams this user "
        "leads and, in turn, to the members of the teams those members lead.",
    )
    lead_flow_downline_user_ids = fields.Many2many(
        "res.users",
        string="Downline",
        compute="_compute_lead_flow_downline_user_ids",
        help="Users whose leads this user sees through View downline.",
    )

    @api.depends("lead_flow_view_downline")
    def _compute_lead_flow_downline_user_ids(self):
        Team = self.env["crm.team"].sudo()
        for user in self:
            downline = set()
            leaders = {user.id} if user.lead_flow_view_downline else set()
            while leaders:  # level by level down the teams: one query per level
                members = Team.search([("user_id", "in", list(leaders))]).member_ids
                leaders = set(members.ids) - downline - {user.id}
                downline |= leaders
            user.lead_flow_downline_user_ids = self.browse(sorted(downline))

    @api.model
    @tools.ormcache()
    def _lead_flow_downline_in_use(self):
        """Whether anybody has View downline: team changes then move record rules."""
        return bool(self.sudo().search_count([("lead_flow_view_downline", "=", True)], limit=1))

    @api.model
    def _lead_flow_downline_changed(self):
        """The downline record rule (security/lead_flow_security.xml) is computed once per
        user and cached with the other record rules: start afresh when it may change."""
        if self._lead_flow_downline_in_use():
            self._lead_flow_downline_reset()

    @api.model
    def _lead_flow_downline_reset(self):
        self.env.registry.clear_cache()
        self.env["res.users"].invalidate_model(["lead_flow_downline_user_ids"])

    def write(self, vals):
        res = super().write(vals)
        if "lead_flow_view_downline" in vals:
            self._lead_flow_downline_reset()
        elif "active" in vals:
            self._lead_flow_downline_changed()
        return res
