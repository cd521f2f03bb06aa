"""Retry rules and handle time, applied when an operator logs a note.

A call without a positive contact counts as an attempt; the matching retry rule keeps the
lead out of the queue for a while (``lead_flow_retry_at``) and completes it once the
rule's maximum of attempts is reached. A positive contact starts the count again.
"""

from markupsafe import Markup

from odoo import fields, models

from .crm_lead import RESERVATION_FIELDS
from .lead_flow_log_handle import STARTED_AT_KEY


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def lead_flow_log_note(
        self, body, template_id=False, outcome=False, close=False, type_id=False, partner_ids=False
    ):
        self.ensure_one()
        # Read before the note takes the reservation again (which moves its date to now).
        started_at = self._lead_flow_work_started_at()
        # A string: contexts may be serialized (e.g. into the chatter's notifications).
        started = fields.Datetime.to_string(started_at) if started_at else False
        lead = self.with_context(**{STARTED_AT_KEY: started})
        return super(CrmLead, lead).lead_flow_log_note(
            body,
            template_id=template_id,
            outcome=outcome,
            close=close,
            type_id=type_id,
            partner_ids=partner_ids,
        )

    def _lead_flow_note_lead_vals(self, log, vals):
        vals = super()._lead_flow_note_lead_vals(log, vals)
        # Checked by the note itself: operator, write access to the lead, its inputs.
        vals.update(self._lead_flow_retry_vals(log, vals))
        return vals

    def _lead_flow_work_started_at(self):
        """When the current user started on this lead: the date of their reservation (Next
        lead, or their previous note), or None when they do not hold a live one."""
        lead = self.sudo()
        if lead.lead_flow_reserved_user_id != self.env.user or not lead.lead_flow_reserved_at:
            return None
        cutoff = self._lead_flow_reservation_cutoff()
        if cutoff and lead.lead_flow_reserved_at < cutoff:
            return None  # an expired reservation says nothing about this call
        return lead.lead_flow_reserved_at

    def _lead_flow_retry_vals(self, log, note_vals):
        """The lead values of the attempt ``log`` records and of its retry rule, written
        with the note's own ``note_vals`` (the lead's state after the note)."""
        lead = self.sudo()
        if log.outcome == "positive":
            if lead.lead_flow_attempt_count or lead.lead_flow_retry_at:
                return {"lead_flow_attempt_count": 0, "lead_flow_retry_at": False}
            return {}
        # Only calls are attempts: an e-mail or a meeting note is no try to reach the customer.
        if log.type_category != "call":
            return {}
        attempts = lead.lead_flow_attempt_count + 1
        vals = {"lead_flow_attempt_count": attempts, "lead_flow_retry_at": False}
        if note_vals.get("lead_flow_state", lead.lead_flow_state) == "done":
            return vals  # the note closed it: no call again
        rule = self.env["lead.flow.retry.rule"]._lead_flow_rule_for(
            lead, log.template_id, log.outcome
        )
        if rule and rule.max_attempts and attempts >= rule.max_attempts:
            vals.update(dict.fromkeys(RESERVATION_FIELDS, False), lead_flow_state="done")
            lead._lead_flow_record_attempts_exhausted(attempts, rule)
            return vals
        # Next lead offers it again then: to its operator first when they hold it (their
        # reservation stays), else to anyone.
        vals["lead_flow_retry_at"] = rule._lead_flow_retry_at(log)
        return vals

    def _lead_flow_record_attempts_exhausted(self, attempts, rule):
        """Say in the chatter and the history why the lead was completed."""
        self.ensure_one()
        text = self.env._(
            "Completed after %(attempts)s attempts: rule %(rule)s",
            attempts=attempts,
            rule=rule.name,
        )
        message = self.sudo().message_post(
            body=Markup("<p>%s</p>") % text,
            subtype_xmlid="mail.mt_note",
            message_type="notification",
            author_id=self.env.user.partner_id.id,
        )
        self.env["lead.flow.log"]._lead_flow_create_automatic(
            [(self, "attempts_exhausted", text, message, False)]
        )

    def _lead_flow_recompute_attempts(self, undone):
        """After the manual entries ``undone`` of these leads were undone, the attempts
        follow the remaining history (calls without a positive contact, and skips, since
        the last positive contact). When an undone entry was a lead's latest note, its
        retry is the remaining latest call's (by its rule, if still to come) and, if that
        note completed the lead by using up its attempts, the lead is open again."""
        Log = self.env["lead.flow.log"].sudo()
        type_id = self.env["ir.model.data"]._xmlid_to_res_id
        skip_type = type_id("lead_flow.log_type_auto_skip")
        exhausted_type = type_id("lead_flow.log_type_auto_attempts_exhausted")
        now = fields.Datetime.now()
        for lead in self.sudo():
            entries = Log.search(
                [
                    ("lead_id", "=", lead.id),
                    ("undone", "=", False),
                    "|",
                    ("origin", "=", "manual"),
                    ("type_id", "in", [skip_type, exhausted_type]),
                ],
                order="date desc, id desc",
            )
            attempts, last_call = 0, Log
            for entry in entries:
                if entry.origin == "manual" and entry.outcome == "positive":
                    break
                if entry.type_id.id == skip_type or (
                    entry.origin == "manual" and entry.type_category == "call"
                ):
                    attempts += 1
                    if entry.origin == "manual" and not last_call:
                        last_call = entry
            vals = {"lead_flow_attempt_count": attempts}
            last_undone = max(undone.filtered(lambda e, lead=lead: e.lead_id == lead).ids)
            notes = entries.filtered(lambda e: e.origin == "manual")
            if not any(note.id > last_undone for note in notes):
                if lead.lead_flow_state == "done" and any(
                    e.type_id.id == exhausted_type and e.id > last_undone for e in entries
                ):
                    vals["lead_flow_state"] = "in_progress"
                vals["lead_flow_retry_at"] = False
                if last_call and vals.get("lead_flow_state", lead.lead_flow_state) != "done":
                    rule = self.env["lead.flow.retry.rule"]._lead_flow_rule_for(
                        lead, last_call.template_id, last_call.outcome
                    )
                    retry_at = rule._lead_flow_retry_at(last_call)
                    if retry_at and retry_at > now:
                        vals["lead_flow_retry_at"] = retry_at
            lead.write(vals)
