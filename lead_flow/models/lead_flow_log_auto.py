from odoo import api, fields, models

SUBTYPE_KINDS = {
    "crm.mt_lead_won": "won",
    "crm.mt_lead_lost": "lost",
    "crm.mt_lead_stage": "stage",
}
TRACKED_KINDS = {"user_id": "user", "tag_ids": "tag"}


class LeadFlowLog(models.Model):
    _inherit = "lead.flow.log"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lead_flow_create_automatic(self, entries):
        """Create automatic entries in one batch (sudo: operators cannot create them).

        ``entries``: iterable of (lead, code, body, message or None, attachment id or False).
        """
        entries = list(entries)
        codes = {code for _lead, code, _body, _message, _att in entries}
        log_types = self.env["lead.flow.log.type"].sudo().with_context(active_test=False)
        type_by_code = {t.code: t for t in log_types.search([("code", "in", list(codes))])}
        vals_list = []
        for lead, code, body, message, attachment_id in entries:
            if code not in type_by_code:
                continue
            author_users = message.author_id.user_ids if message else False
            user = author_users[0] if author_users else self.env.user
            vals_list.append(
                {
                    "lead_id": lead.id,
                    "user_id": user.id,
                    "date": fields.Datetime.now(),
                    "type_id": type_by_code[code].id,
                    "body": body or False,
                    "origin": "automatic",
                    "message_id": message.id if message else False,
                    "attachment_id": attachment_id,
                    "team_id": lead.team_id.id,
                    "company_id": lead.company_id.id,
                }
            )
        return self.sudo().create(vals_list).sudo(False)

    @api.model
    def _lead_flow_message_kinds(self, message):
        """[(code, body)] of what a chatter message on a lead records."""
        ref = self.env.ref
        subtype = message.subtype_id
        note_subtype = ref("lead_flow.mt_lead_flow_note", raise_if_not_found=False)
        if subtype and subtype == note_subtype:
            return []  # manual Lead Flow notes have their own manual entry
        if message.message_type == "sms":
            return [("sms_out", message.preview)]
        if message.message_type == "email":
            return [("email_in", message.subject or message.preview)]
        if message.message_type == "email_outgoing" or (
            message.message_type == "comment" and subtype == ref("mail.mt_comment")
        ):
            return [("email_out", message.subject or message.preview)]
        if message.mail_activity_type_id and subtype == ref("mail.mt_activities"):
            return [("activity", message.preview or message.mail_activity_type_id.name)]
        kinds = []
        for xmlid, code in SUBTYPE_KINDS.items():
            if subtype and subtype == ref(xmlid, raise_if_not_found=False):
                kinds.append((code, self._lead_flow_tracking_text(message, "stage_id")))
                break
        for field_name, code in TRACKED_KINDS.items():
            text = self._lead_flow_tracking_text(message, field_name)
            if text:
                kinds.append((code, text))
        return kinds

    @api.model
    def _lead_flow_tracking_text(self, message, field_name):
        for tracking in message.sudo().tracking_value_ids:
            if tracking.field_id.name == field_name:
                old = tracking.old_value_char or "-"
                new = tracking.new_value_char or "-"
                return f"{tracking.field_id.field_description}: {old} → {new}"
        return False

    @api.model
    def _lead_flow_log_messages(self, messages):
        messages = messages.sudo()
        leads = self.env["crm.lead"].sudo().browse(set(messages.mapped("res_id"))).exists()
        lead_by_id = {lead.id: lead for lead in leads}
        self._lead_flow_create_automatic(
            (lead_by_id[message.res_id], code, body, message, False)
            for message in messages
            if message.res_id in lead_by_id
            for code, body in self._lead_flow_message_kinds(message)
        )
