"""Calling hours: on which weekdays and between which hours leads may be called, in each
lead's local time. Plain Python (no ORM), shared by the settings form, the queues and the
claim of Next lead.

The setting is JSON text, one window per weekday::

    {"0": [9.0, 20.0], "1": [9.0, 20.0], "5": [10.0, 13.5]}

Keys are weekdays as strings ("0" = Monday ... "6" = Sunday), values ``[from, to]`` in
hours as numbers (13.5 = 13:30, 24.0 = midnight at the end of the day), ``from`` < ``to``.
A day absent from the object has no calling at all; empty or blank text means any time.
A window starts at ``from`` included and ends at ``to`` excluded, to the minute.
"""

import json
from datetime import timezone
from functools import lru_cache

import pytz

# The system parameter of the calling hours of every queue without its own.
PARAM = "lead_flow.calling_hours"
# For messages of ValueError; the settings form shows its own translated words
# (models/lead_flow_calling_hours_mixin.py), keyed by CallingHoursError.reason.
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Bounds the per-minute cache of allowed_timezones: a few queues with their own hours, over
# a few minutes, fit; older minutes are never asked again and fall out first.
CACHE_SIZE = 256


class CallingHoursError(ValueError):
    """Invalid calling hours. ``reason``: "json" (not JSON), "format" (not an object),
    "day" (unknown weekday key), "window" (not [from, to]), "range" (outside 0-24),
    "order" (ends before it starts), "empty" (ends when it starts); ``day``: the weekday
    (0 = Monday) the error is about, or None."""

    def __init__(self, message, reason, day=None):
        super().__init__(message)
        self.reason = reason
        self.day = day


def _is_number(value):
    # JSON true/false are ints for Python: a window of [true, 20] is a typo, not 1 to 20.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_window(day, value):
    name = DAYS[day]
    if not (isinstance(value, list | tuple) and len(value) == 2 and all(map(_is_number, value))):
        raise CallingHoursError(
            f"{name}: the calling window must be [from, to] in hours, e.g. [9.0, 20.0].",
            "window",
            day,
        )
    start, end = float(value[0]), float(value[1])
    # "not (a <= x <= b)" also refuses NaN, which JSON lets through.
    if not (0.0 <= start <= 24.0 and 0.0 <= end <= 24.0):
        raise CallingHoursError(f"{name}: hours must be between 0 and 24.", "range", day)
    if end < start:
        raise CallingHoursError(f"{name}: the calling window ends before it starts.", "order", day)
    if end == start:
        raise CallingHoursError(f"{name}: the calling window ends when it starts.", "empty", day)
    return start, end


@lru_cache(maxsize=CACHE_SIZE)
def _parse_items(raw):
    """The windows of ``raw`` as a sorted tuple of (weekday, (from, to)), or None.
    Cached: the claim parses the same text at every Next lead."""
    if raw is None or raw is False or not str(raw).strip():
        return None
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise CallingHoursError(f"Calling hours are not valid JSON: {error}", "json") from error
    if not isinstance(data, dict):
        raise CallingHoursError(
            'Calling hours must be a JSON object of weekdays ("0" = Monday to "6" = Sunday).',
            "format",
        )
    windows = {}
    for key, value in data.items():
        if key not in ("0", "1", "2", "3", "4", "5", "6"):
            raise CallingHoursError(
                f'Unknown weekday "{key}" in calling hours: use "0" (Monday) to "6" (Sunday).',
                "day",
            )
        windows[int(key)] = _check_window(int(key), value)
    return tuple(sorted(windows.items()))


def parse(raw):
    """None when ``raw`` allows any time (empty or blank), else {weekday: (from, to)} with
    weekday 0 = Monday and hours as floats. Raises CallingHoursError (a ValueError) with a
    readable message when ``raw`` is not valid calling hours."""
    items = _parse_items(raw if raw else None)
    return None if items is None else dict(items)


def dump(windows):
    """The setting's text for ``windows`` ({weekday: (from, to)}, weekdays as int or str),
    "" for None (any time). Raises CallingHoursError on invalid windows."""
    if windows is None:
        return ""
    data = {}
    for day, window in windows.items():
        key = str(day)
        if key not in ("0", "1", "2", "3", "4", "5", "6"):
            raise CallingHoursError(f'Unknown weekday "{day}" in calling hours.', "day")
        start, end = _check_window(int(key), window)
        data[key] = [start, end]
    return json.dumps(dict(sorted(data.items())))


def _minutes(hours):
    # Whole minutes: float hours such as 9.333333 (09:20) compare exactly, and a time
    # truncated to the minute is in a window exactly when the full time is.
    return round(hours * 60)


def is_open(windows, local_dt):
    """Whether ``local_dt`` (a datetime in the lead's local time) is inside ``windows``
    (parse()'s result; None = any time)."""
    if windows is None:
        return True
    window = windows.get(local_dt.weekday())
    if not window:
        return False
    minute = local_dt.hour * 60 + local_dt.minute
    return _minutes(window[0]) <= minute < _minutes(window[1])


@lru_cache(maxsize=CACHE_SIZE)
def _allowed_at(raw, minute_utc):
    windows = parse(raw)
    if windows is None:
        return None
    utc = pytz.utc.localize(minute_utc)
    return tuple(
        sorted(
            name
            for name in pytz.all_timezones
            if is_open(windows, utc.astimezone(pytz.timezone(name)))
        )
    )


def allowed_timezones(raw, now_utc):
    """The IANA time zones (of pytz.all_timezones, sorted) whose local time at ``now_utc``
    is inside calling hours ``raw``, or None when ``raw`` allows any time. ``now_utc``:
    an aware datetime, or a naive one in UTC (Odoo's convention). Raises CallingHoursError
    on invalid ``raw``.

    Cached per (raw, minute): the claim asks at every Next lead, and the answer only changes
    when a minute starts. lru_cache is thread-safe (two threads missing at once both
    compute the same answer) and bounded; errors are not cached."""
    if now_utc.tzinfo is not None:
        now_utc = now_utc.astimezone(timezone.utc).replace(tzinfo=None)
    return _allowed_at(raw or "", now_utc.replace(second=0, microsecond=0))
