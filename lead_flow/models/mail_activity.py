from odoo import models
from odoo.exceptions import AccessError, UserError

REOPEN_ACTIVITY_KEY = "lead_flow.reopen_activity_group_ids"


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def action_lead_flow_reopen(self):
        """Reopen done (archived) activities of leads; permission set in Settings."""
        if not self.env["crm.lead"]._lead_flow_user_allowed(REOPEN_ACTIVITY_KEY):
            raise AccessError(self.env._("You are not allowed to reopen done activities."))
        activities = self.with_context(active_test=False).sudo()
        if activities.filtered(lambda a: a.active or a.res_model != "crm.lead"):
            raise UserError(self.env._("Only done activities of leads can be reopened."))
        activities.write({"active": True})
        for activity in activities:
            self.env["crm.lead"].browse(activity.res_id).sudo().message_post(
                body=self.env._(
                    "%(user)s reopened the activity %(activity)s.",
                    user=self.env.user.name,
                    activity=activity.summary or activity.activity_type_id.name,
                ),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )
        return True
