from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from ..lib import calling_hours

_lt = LazyTranslate(__name__)

# Field name parts, weekday 0 = Monday as in lib/calling_hours.
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = (
    _lt("Monday"),
    _lt("Tuesday"),
    _lt("Wednesday"),
    _lt("Thursday"),
    _lt("Friday"),
    _lt("Saturday"),
    _lt("Sunday"),
)
# What a newly restricted form proposes: weekdays, 09:00 to 20:00.
PROPOSED_WINDOWS = dict.fromkeys(range(5), (9.0, 20.0))
# The user's words for lib/calling_hours errors about one day, by CallingHoursError.reason.
DAY_ERRORS = {
    "order": _lt("%(day)s: the calling window ends before it starts."),
    "empty": _lt("%(day)s: the calling window ends when it starts."),
    "range": _lt("%(day)s: the hours must be between 00:00 and 24:00."),
}


def _hour_field(day, bound):
    return fields.Float(
        f"{calling_hours.DAYS[day]} {bound}",
        compute="_compute_lead_flow_hours",
        inverse="_inverse_lead_flow_hours",
        readonly=False,
    )


class LeadFlowCallingHoursMixin(models.AbstractModel):
    """Calling hours edited as a weekly table (from / to per weekday, 00:00 to 00:00 =
    closed, a switch for "any time") and kept as lib/calling_hours JSON text in a Char field
    that the inheriting model declares and names in ``_lead_flow_calling_hours_field``."""

    _name = "lead.flow.calling.hours.mixin"
    _description = "Lead Flow calling hours (weekly table)"
    _lead_flow_calling_hours_field = "lead_flow_calling_hours"

    lead_flow_restrict_hours = fields.Boolean(
        "Restrict calling hours",
        compute="_compute_lead_flow_hours",
        inverse="_inverse_lead_flow_hours",
        readonly=False,
        help="Off: leads may be called at any time. On: only within the hours below, in "
        "each lead's local time; outside them a lead waits in the queue.",
    )
    lead_flow_hours_mon_from = _hour_field(0, "from")
    lead_flow_hours_mon_to = _hour_field(0, "to")
    lead_flow_hours_tue_from = _hour_field(1, "from")
    lead_flow_hours_tue_to = _hour_field(1, "to")
    lead_flow_hours_wed_from = _hour_field(2, "from")
    lead_flow_hours_wed_to = _hour_field(2, "to")
    lead_flow_hours_thu_from = _hour_field(3, "from")
    lead_flow_hours_thu_to = _hour_field(3, "to")
    lead_flow_hours_fri_from = _hour_field(4, "from")
    lead_flow_hours_fri_to = _hour_field(4, "to")
    lead_flow_hours_sat_from = _hour_field(5, "from")
    lead_flow_hours_sat_to = _hour_field(5, "to")
    lead_flow_hours_sun_from = _hour_field(6, "from")
    lead_flow_hours_sun_to = _hour_field(6, "to")

    @api.depends(lambda self: [self._lead_flow_calling_hours_field])
    def _compute_lead_flow_hours(self):
        for record in self:
            try:
                windows = calling_hours.parse(record[record._lead_flow_calling_hours_field])
            except ValueError:
                windows = {}  # written by hand: shown closed, saving the form rewrites it
            record.lead_flow_restrict_hours = windows is not None
            shown = PROPOSED_WINDOWS if windows is None else windows
            for day, key in enumerate(DAY_KEYS):
                start, end = shown.get(day, (0.0, 0.0))
                record[f"lead_flow_hours_{key}_from"] = start
                record[f"lead_flow_hours_{key}_to"] = end

    def _inverse_lead_flow_hours(self):
        for record in self:
            record[record._lead_flow_calling_hours_field] = record._lead_flow_hours_text()

    def _lead_flow_hours_text(self):
        """The calling hours of the table as lib/calling_hours text; ValidationError in
        the user's words when a day's window is wrong."""
        self.ensure_one()
        if not self.lead_flow_restrict_hours:
            return ""
        windows = {}
        for day, key in enumerate(DAY_KEYS):
            start = self[f"lead_flow_hours_{key}_from"]
            end = self[f"lead_flow_hours_{key}_to"]
            if start or end:  # 00:00 to 00:00: closed that day
                windows[day] = (start, end)
        if not windows:
            raise ValidationError(
                self.env._(
                    "Calling hours are restricted but every day is closed: nobody would be "
                    'called. Give at least one day a window, or turn off "Restrict calling '
                    'hours".'
                )
            )
        try:
            return calling_hours.dump(windows)
        except calling_hours.CallingHoursError as error:
            raise ValidationError(self._lead_flow_hours_error(error)) from error

    def _lead_flow_hours_error(self, error):
        """The user's words for a lib/calling_hours error."""
        template = DAY_ERRORS.get(error.reason)
        if template is None or error.day is None:
            return self.env._("The calling hours are not valid: %s", error)
        # The terms are _lt() above (extracted for translation); fill them once translated.
        return self.env._(template) % {"day": self.env._(DAY_NAMES[error.day])}  # pylint: disable=translation-not-lazy

    @api.constrains(lambda self: [self._lead_flow_calling_hours_field])
    def _check_lead_flow_calling_hours(self):
        """Text written directly (import, RPC, a queue's field) is checked as well."""
        for record in self:
            try:
                calling_hours.parse(record[record._lead_flow_calling_hours_field])
            except calling_hours.CallingHoursError as error:
                raise ValidationError(record._lead_flow_hours_error(error)) from error
