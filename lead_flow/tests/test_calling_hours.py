"""lib/calling_hours: the format of the setting, and which time zones may be called when.
Plain Python, fixed datetimes (2026: Europe's clocks go forward on 29 March and back on
25 October, the USA's on 8 March and 1 November; 2 March 2026 is a Monday)."""

from datetime import datetime, timedelta, timezone

import pytz

from odoo.tests import BaseCase, tagged

from ..lib import calling_hours as ch
from .common import WEEKDAYS_9_TO_20


@tagged("at_install", "-post_install")
class TestCallingHoursFormat(BaseCase):
    def test_empty_means_any_time(self):
        for raw in (None, False, "", "   ", "\n"):
            with self.subTest(raw=raw):
                self.assertIsNone(ch.parse(raw))
                self.assertIsNone(ch.allowed_timezones(raw, datetime(2026, 3, 2, 3, 0)))
        self.assertEqual(ch.dump(None), "")
        self.assertTrue(ch.is_open(None, datetime(2026, 3, 8, 3, 0)))

    def test_parse_and_dump(self):
        windows = ch.parse(WEEKDAYS_9_TO_20)
        self.assertEqual(windows, dict.fromkeys(range(5), (9.0, 20.0)))
        self.assertEqual(ch.dump(windows), WEEKDAYS_9_TO_20)
        # Whole numbers and string weekdays are accepted; dump writes floats, days in order.
        raw = ch.dump({"5": (10, 13.5), 0: [0, 24]})
        self.assertEqual(raw, '{"0": [0.0, 24.0], "5": [10.0, 13.5]}')
        self.assertEqual(ch.parse(raw), {0: (0.0, 24.0), 5: (10.0, 13.5)})
        # A day absent is a day without calls; {} is never (not "any time").
        self.assertEqual(ch.parse("{}"), {})
        self.assertEqual(ch.allowed_timezones("{}", datetime(2026, 3, 2, 12, 0)), ())
        # parse() hands out a fresh dict: changing it leaves the cached one alone.
        ch.parse(WEEKDAYS_9_TO_20)[6] = (1.0, 2.0)
        self.assertNotIn(6, ch.parse(WEEKDAYS_9_TO_20))

    def test_invalid_text(self):
        cases = [
            ("not json", "json", None, "not valid JSON"),
            ("[[9, 20]]", "format", None, "must be a JSON object of weekdays"),
            ('{"7": [9, 20]}', "day", None, 'Unknown weekday "7"'),
            ('{"Monday": [9, 20]}', "day", None, 'Unknown weekday "Monday"'),
            ('{"0": 9}', "window", 0, "Monday: the calling window must be [from, to]"),
            ('{"0": [9]}', "window", 0, "Monday: the calling window must be [from, to]"),
            ('{"0": [true, 20]}', "window", 0, "Monday: the calling window must be"),
            ('{"0": ["9", "20"]}', "window", 0, "Monday: the calling window must be"),
            ('{"1": [20, 9]}', "order", 1, "Tuesday: the calling window ends before it starts."),
            ('{"2": [9, 9]}', "empty", 2, "Wednesday: the calling window ends when it starts."),
            ('{"3": [-1, 9]}', "range", 3, "Thursday: hours must be between 0 and 24."),
            ('{"4": [9, 24.5]}', "range", 4, "Friday: hours must be between 0 and 24."),
            ('{"6": [NaN, 9]}', "range", 6, "Sunday: hours must be between 0 and 24."),
        ]
        for raw, reason, day, message in cases:
            with self.subTest(raw=raw):
                with self.assertRaises(ValueError) as caught:
                    ch.parse(raw)
                self.assertIsInstance(caught.exception, ch.CallingHoursError)
                self.assertEqual(caught.exception.reason, reason)
                self.assertEqual(caught.exception.day, day)
                self.assertIn(message, str(caught.exception))
                with self.assertRaises(ValueError):
                    ch.allowed_timezones(raw, datetime(2026, 3, 2, 12, 0))
        with self.assertRaises(ValueError):
            ch.dump({1: (20.0, 9.0)})
        with self.assertRaises(ValueError):
            ch.dump({7: (9.0, 20.0)})


@tagged("at_install", "-post_install")
class TestCallingHoursOpen(BaseCase):
    def test_window_bounds_to_the_minute(self):
        windows = ch.parse(WEEKDAYS_9_TO_20)
        monday = datetime(2026, 3, 2)
        for hour, minute, second, expected in (
            (8, 59, 59, False),
            (9, 0, 0, True),
            (19, 59, 59, True),
            (20, 0, 0, False),
        ):
            with self.subTest(time=f"{hour}:{minute}:{second}"):
                at = monday.replace(hour=hour, minute=minute, second=second)
                self.assertEqual(ch.is_open(windows, at), expected)
        # Minutes given as float hours (09:20 = 9.333...) compare exactly.
        windows = {0: (9 + 20 / 60, 17 + 40 / 60)}
        self.assertFalse(ch.is_open(windows, monday.replace(hour=9, minute=19)))
        self.assertTrue(ch.is_open(windows, monday.replace(hour=9, minute=20)))
        self.assertTrue(ch.is_open(windows, monday.replace(hour=17, minute=39)))
        self.assertFalse(ch.is_open(windows, monday.replace(hour=17, minute=40)))

    def test_day_without_window(self):
        windows = ch.parse(WEEKDAYS_9_TO_20)
        saturday_noon = datetime(2026, 3, 7, 12, 0)
        self.assertFalse(ch.is_open(windows, saturday_noon))
        self.assertFalse(ch.is_open(windows, saturday_noon + timedelta(days=1)))
        # At 12:00 UTC on a Saturday it is Saturday (or Sunday) everywhere: nobody is called.
        self.assertEqual(ch.allowed_timezones(WEEKDAYS_9_TO_20, saturday_noon), ())

    def test_midnight_bounds(self):
        windows = {0: (0.0, 24.0), 1: (22.0, 24.0)}
        monday = datetime(2026, 3, 2)
        self.assertTrue(ch.is_open(windows, monday))  # 00:00 belongs to the day it starts
        self.assertTrue(ch.is_open(windows, monday.replace(hour=23, minute=59, second=59)))
        self.assertFalse(ch.is_open(windows, monday + timedelta(days=1, hours=21, minutes=59)))
        self.assertTrue(ch.is_open(windows, monday + timedelta(days=1, hours=22)))
        # Tuesday 24:00 is Wednesday 00:00: Wednesday's window (none) decides.
        self.assertFalse(ch.is_open(windows, monday + timedelta(days=2)))
        # Sunday 23:30 UTC is Monday 08:30 in Tokyo, and Monday 09:00 at 00:00 UTC.
        raw = ch.dump({0: (9.0, 10.0)})
        self.assertNotIn("Asia/Tokyo", ch.allowed_timezones(raw, datetime(2026, 3, 1, 23, 30)))
        self.assertIn("Asia/Tokyo", ch.allowed_timezones(raw, datetime(2026, 3, 2, 0, 0)))
        self.assertNotIn("UTC", ch.allowed_timezones(raw, datetime(2026, 3, 2, 0, 0)))


@tagged("at_install", "-post_install")
class TestAllowedTimezones(BaseCase):
    def test_daylight_saving_time_both_sides(self):
        """Paris 09:00-20:00: 18:30 UTC is 19:30 in winter (open), 20:30 in summer (closed);
        New York: 13:30 UTC is 08:30 before its change (closed), 09:30 after (open)."""
        every_day = ch.dump(dict.fromkeys(range(7), (9.0, 20.0)))
        cases = [
            # Friday before / Monday after Europe's spring change.
            (datetime(2026, 3, 27, 18, 30), "Europe/Paris", True),
            (datetime(2026, 3, 30, 18, 30), "Europe/Paris", False),
            # Friday before / Monday after Europe's autumn change.
            (datetime(2026, 10, 23, 18, 30), "Europe/Paris", False),
            (datetime(2026, 10, 26, 18, 30), "Europe/Paris", True),
            # New York's spring change (Sunday 8 March).
            (datetime(2026, 3, 6, 13, 30), "America/New_York", False),
            (datetime(2026, 3, 9, 13, 30), "America/New_York", True),
            # Southern summer: Sydney is UTC+11 in January (09:30), UTC+10 in July (08:30).
            (datetime(2026, 1, 5, 22, 30), "Australia/Sydney", True),
            (datetime(2026, 7, 6, 22, 30), "Australia/Sydney", False),
        ]
        for now, zone, expected in cases:
            with self.subTest(now=now, zone=zone):
                local = pytz.utc.localize(now).astimezone(pytz.timezone(zone))
                self.assertEqual(ch.is_open(ch.parse(every_day), local), expected, local)
                self.assertEqual(zone in ch.allowed_timezones(every_day, now), expected)

    def test_result_and_cache(self):
        now = datetime(2026, 3, 4, 12, 0, 5, 123)  # Wednesday
        allowed = ch.allowed_timezones(WEEKDAYS_9_TO_20, now)
        self.assertEqual(list(allowed), sorted(allowed))
        self.assertTrue(set(allowed) <= set(pytz.all_timezones))
        self.assertIn("UTC", allowed)
        self.assertIn("Europe/Paris", allowed)  # 13:00
        self.assertNotIn("America/Los_Angeles", allowed)  # 04:00
        self.assertNotIn("Pacific/Auckland", allowed)  # 01:00 on Thursday
        # The same minute, naive UTC or aware in any zone, is the same cached answer.
        aware = now.replace(tzinfo=timezone.utc).astimezone(pytz.timezone("Asia/Tokyo"))
        self.assertIs(ch.allowed_timezones(WEEKDAYS_9_TO_20, now.replace(second=59)), allowed)
        self.assertIs(ch.allowed_timezones(WEEKDAYS_9_TO_20, aware), allowed)
        later = ch.allowed_timezones(WEEKDAYS_9_TO_20, now + timedelta(hours=8))
        self.assertNotIn("Europe/Paris", later)  # 21:00
        self.assertIn("America/Los_Angeles", later)  # 12:00
