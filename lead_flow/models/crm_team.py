from odoo import api, fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    lead_flow_purpose = fields.Selection(
        [("buying", "Buying"), ("selling", "Selling")],
        string="Lead Flow purpose",
        help="Limits the Log activity tiles of this team's leads to the activity types "
        "meant for this purpose. Empty: all tiles.",
    )

    # Who leads which team and its members make the View downline record rule.
    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        self.env["res.users"]._lead_flow_downline_changed()
        return teams

    def write(self, vals):
        res = super().write(vals)
        if {"user_id", "member_ids", "crm_team_member_ids", "active"} & set(vals):
            self.env["res.users"]._lead_flow_downline_changed()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.users"]._lead_flow_downline_changed()
        return res


class CrmTeamMember(models.Model):
    _inherit = "crm.team.member"

    @api.model_create_multi
    def create(self, vals_list):
        members = super().create(vals_list)
        self.env["res.users"]._lead_flow_downline_changed()
        return members

    def write(self, vals):
        res = super().write(vals)
        if {"user_id", "crm_team_id", "active"} & set(vals):
            self.env["res.users"]._lead_flow_downline_changed()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.users"]._lead_flow_downline_changed()
        return res
