from contextlib import contextmanager

from odoo import api, fields, models

SUBTYPE_KINDS = {
    "crm.mt_lead_won": "won",
    "crm.mt_lead_lost": "lost",
    "crm.mt_lead_stage": "stage",
}
TRACKED_KINDS = {"user_id": "user", "tag_ids": "tag"}
# precommit data key: ids of the messages whose entries a batch will write (see
# _lead_flow_batched_auto_log).
PENDING_KEY = "lead_flow.auto_log_pending"


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
    def _lead_flow_subtype_ids(self):
        """{xmlid: id} of the subtypes that decide what a message records. Looked up in
        ir.model.data's cache: env.ref() would also query each record's existence, and
        this runs for every chatter message on a lead."""
        xmlids = [
            "lead_flow.mt_lead_flow_note",
            "mail.mt_comment",
            "mail.mt_note",
            "mail.mt_activities",
        ]
        IMD = self.env["ir.model.data"]
        return {xmlid: IMD._xmlid_to_res_id(xmlid) for xmlid in [*xmlids, *SUBTYPE_KINDS]}

    @api.model
    def _lead_flow_message_kinds(self, message, subtype_ids=None):
        """[(code, body)] of what a chatter message on a lead records."""
        subtype_ids = subtype_ids or self._lead_flow_subtype_ids()
        subtype_id = message.subtype_id.id
        if subtype_id and subtype_id == subtype_ids["lead_flow.mt_lead_flow_note"]:
            return []  # manual Lead Flow notes have their own manual entry
        if message.message_type == "sms":
            return [("sms_out", message.preview)]
        if message.message_type == "email":
            return [("email_in", message.subject or message.preview)]
        if message.message_type == "email_outgoing" or (
            message.message_type == "comment" and subtype_id == subtype_ids["mail.mt_comment"]
        ):
            return [("email_out", message.subject or message.preview)]
        if (
            message.message_type == "comment"
            and subtype_id == subtype_ids["mail.mt_note"]
            and message.partner_ids.filtered("partner_share")
        ):
            # An internal note e-mailed to outsiders (the lead's Forward): an e-mail sent,
            # naming its recipients. Posted notes only ("comment"; tracking notes are
            # "notification" and never read their partners); partner_share is stored on
            # the partners the message holds, read for the whole batch at once.
            recipients = ", ".join(p.email_formatted or p.name for p in message.partner_ids)
            text = self.env._(
                "To %(recipients)s: %(subject)s",
                recipients=recipients,
                subject=message.subject or message.preview,
            )
            return [("email_out", text)]
        if message.mail_activity_type_id and subtype_id == subtype_ids["mail.mt_activities"]:
            return [("activity", message.preview or message.mail_activity_type_id.name)]
        kinds = []
        for xmlid, code in SUBTYPE_KINDS.items():
            if subtype_id and subtype_id == subtype_ids[xmlid]:
                kinds.append((code, self._lead_flow_tracking_text(message, "stage_id")))
                break
        for field_name, code in TRACKED_KINDS.items():
            text = self._lead_flow_tracking_text(message, field_name)
            if text:
                kinds.append((code, text))
        return kinds

    @api.model
    def _lead_flow_tracking_text(self, message, field_name):
        # message comes from a batch: its tracking values are read for the whole batch.
        for tracking in message.sudo().tracking_value_ids:
            if tracking.field_id.name == field_name:
                old = tracking.old_value_char or "-"
                new = tracking.new_value_char or "-"
                return f"{tracking.field_id.field_description}: {old} → {new}"
        return False

    @api.model
    def _lead_flow_log_messages(self, messages, deferred=False):
        """Record the automatic entries of these chatter messages on leads, or, inside
        _lead_flow_batched_auto_log(), when that block ends (``deferred``)."""
        pending = self.env.cr.precommit.data.get(PENDING_KEY)
        if pending is not None:
            pending.extend(messages.ids)
            return
        messages = messages.sudo()
        if deferred:  # messages may have been deleted since they were posted
            messages = messages.exists()
        subtype_ids = self._lead_flow_subtype_ids()
        kinds = [
            (message, self._lead_flow_message_kinds(message, subtype_ids)) for message in messages
        ]
        kinds = [(message, message_kinds) for message, message_kinds in kinds if message_kinds]
        if not kinds:
            return
        lead_ids = {message.res_id for message, _kinds in kinds}
        leads = self.env["crm.lead"].sudo().browse(lead_ids).exists()
        lead_by_id = {lead.id: lead for lead in leads}
        self._lead_flow_create_automatic(
            (lead_by_id[message.res_id], code, body, message, False)
            for message, message_kinds in kinds
            if message.res_id in lead_by_id
            for code, body in message_kinds
        )

    @api.model
    def _lead_flow_batched_auto_log(self):
        """Context manager: the automatic entries of the chatter messages posted inside are
        written together at its end (one read of the messages, one INSERT), not one by one
        as each message is posted (mail tracking posts one message per record)."""
        return _batched_auto_log(self)


@contextmanager
def _batched_auto_log(log_model):
    data = log_model.env.cr.precommit.data
    if PENDING_KEY in data:  # nested: the outer block writes them
        yield
        return
    pending = data[PENDING_KEY] = []
    try:
        yield
    finally:
        data.pop(PENDING_KEY, None)
    if pending:
        messages = log_model.env["mail.message"].browse(pending)
        log_model._lead_flow_log_messages(messages, deferred=True)
        # Written now, like the tracking that posted them (mail's _track_finalize flushes
        # too): the entries' pending updates (stored related fields) must not land in the
        # caller's next flush.
        log_model.env.flush_all()
