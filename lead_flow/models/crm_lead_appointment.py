from datetime import datetime

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import plaintext2html


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def lead_flow_create_appointment(self, user_id, start, stop, name, description=False):
        """Book an appointment on this lead for ``user_id`` and return the calendar.event id.

        ``start`` / ``stop``: UTC datetimes (or Odoo's "YYYY-MM-DD HH:MM:SS" strings, as
        any datetime over RPC); ``description``: plain text. The user organises the event
        and attends it with the lead's contact (if any), as crm's own *Meetings* button
        does; calendar e-mails them its invitation (future events, not the caller).
        Everything is checked before anything is written."""
        self.ensure_one()
        # Writing the lead is what booking on it means (the chatter note crm posts too).
        self.check_access("write")
        user = self._lead_flow_appointment_user(user_id)
        start_at = self._lead_flow_appointment_datetime(
            start, self.env._("Set when the appointment starts.")
        )
        stop_at = self._lead_flow_appointment_datetime(
            stop, self.env._("Set when the appointment ends.")
        )
        if stop_at <= start_at:
            raise ValidationError(self.env._("The appointment must end after it starts."))
        title = (name or "").strip() if isinstance(name, str) else ""
        if not title:
            raise ValidationError(self.env._("Give the appointment a title."))
        event = self.env["calendar.event"].create(
            {
                "name": title,
                "start": start_at,
                "stop": stop_at,
                "description": plaintext2html(description) if description else False,
                "user_id": user.id,
                "partner_ids": [Command.set((user.partner_id | self.partner_id).ids)],
                "opportunity_id": self.id,
                # The event's "Document" link, as when it is scheduled from the lead.
                "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                "res_id": self.id,
            }
        )
        return event.id

    @api.model
    def _lead_flow_appointment_user(self, user_id):
        """The active internal user an appointment is for, else ValidationError."""
        if isinstance(user_id, models.BaseModel):
            user_id = user_id.id
        try:
            user_id = int(user_id or 0)
        except (TypeError, ValueError):
            user_id = 0
        # sudo + archived too: the caller need not read users to be told why one is refused.
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        user = Users.browse(user_id).exists() if user_id > 0 else Users
        if not user:
            raise ValidationError(self.env._("Choose who the appointment is for."))
        if not user.active:
            raise ValidationError(self.env._("%s is archived: choose an active user.", user.name))
        if user.share:
            raise ValidationError(
                self.env._(
                    "%s is not an internal user: appointments are booked for internal users.",
                    user.name,
                )
            )
        return user

    @api.model
    def _lead_flow_appointment_datetime(self, value, missing):
        """A naive UTC datetime from a datetime or an Odoo datetime string; ``missing``
        is the message for no value."""
        if not value:
            raise ValidationError(missing)
        if isinstance(value, datetime) and value.tzinfo:
            value = value.astimezone(pytz.utc).replace(tzinfo=None)
        try:
            moment = fields.Datetime.to_datetime(value)
        except (TypeError, ValueError):
            moment = None
        if not isinstance(moment, datetime):
            raise ValidationError(self.env._("%s is not a date and time.", value))
        return moment

    def action_schedule_meeting(self, smart_calendar=True):
        """crm's *Meetings* button shows an opportunity's meetings only; Lead Flow books
        appointments on leads too, so the button shows a lead's own appointments."""
        action = super().action_schedule_meeting(smart_calendar=smart_calendar)
        if self.type == "lead":
            action["context"].update(
                search_default_opportunity_id=self.id, default_opportunity_id=self.id
            )
            if smart_calendar:
                mode, initial_date = self._get_opportunity_meeting_view_parameters()
                action["context"].update(default_mode=mode, initial_date=initial_date)
        return action
