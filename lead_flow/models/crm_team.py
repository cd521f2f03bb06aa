from odoo import api, fields, models


class LeadFlowDownlineSource(models.AbstractModel):
    """Teams and their memberships make the View downline record rule: a change of who
    leads a team or who is in it applies at once (res_users_downline.py)."""

    _name = "lead.flow.downline.source"
    _description = "Lead Flow: records the View downline rule follows"
    _lead_flow_downline_fields = ()  # fields whose change moves the downline

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["res.users"]._lead_flow_downline_changed()
        return records

    def write(self, vals):
        res = super().write(vals)
        if set(self._lead_flow_downline_fields) & set(vals):
            self.env["res.users"]._lead_flow_downline_changed()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["res.users"]._lead_flow_downline_changed()
        return res


class CrmTeam(models.Model):
    _name = "crm.team"
    _inherit = ["crm.team", "lead.flow.downline.source"]
    _lead_flow_downline_fields = ("user_id", "member_ids", "crm_team_member_ids", "active")

    lead_flow_purpose = fields.Selection(
        [("buying", "Buying"), ("selling", "Selling")],
        string="Lead Flow purpose",
        help="Limits the Log activity tiles of this team's leads to the activity types "
        "meant for this purpose. Empty: all tiles.",
    )


class CrmTeamMember(models.Model):
    _name = "crm.team.member"
    _inherit = ["crm.team.member", "lead.flow.downline.source"]
    _lead_flow_downline_fields = ("user_id", "crm_team_id", "active")
