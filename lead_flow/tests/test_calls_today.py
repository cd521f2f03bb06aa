"""My calls today: counted from the report's daily totals, exactly as the entries count."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestCallsToday(LeadFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call_type = cls.env.ref("lead_flow.log_type_call")
        cls.other_company = cls.env["res.company"].create({"name": "LF Other Co"})

    def entry(self, when, user=None, **values):
        return (
            self.env["lead.flow.log"]
            .sudo()
            .create(
                {
                    "lead_id": self.lead.id,
                    "user_id": (user or self.operator).id,
                    "date": when,
                    "type_id": self.call_type.id,
                    "body": "Called.",
                    "origin": "manual",
                    **values,
                }
            )
        )

    def counted(self, now):
        """The console's, the dashboard's and the entries' own count at ``now``."""
        board = self.env["lead.flow.dashboard"].with_user(self.operator)
        with freeze_time(now):
            console = self.env["crm.lead"].with_user(self.operator)._lead_flow_console_counters()
            entries = (
                self.env["lead.flow.log"]
                .with_user(self.operator)
                .search_count(board._domain_calls_today())
            )
            return console["calls_today"], board.browse(self.operator.id).calls_today_count, entries

    def check_day(self, tz, now, local_midnight):
        """Entries around my local midnight (naive UTC ``local_midnight``) in time zone
        ``tz``, seen at ``now``: only mine, manual, not undone, from that midnight on."""
        self.operator.tz = tz
        counted = [
            self.entry(local_midnight),
            self.entry(local_midnight + timedelta(minutes=1)),
            self.entry(local_midnight + timedelta(hours=5)),
            self.entry(now - timedelta(minutes=1)),
        ]
        self.entry(local_midnight - timedelta(minutes=1))  # yesterday here
        self.entry(local_midnight - timedelta(hours=20))
        self.entry(local_midnight + timedelta(hours=2), user=self.operator_2)
        undone = self.entry(local_midnight + timedelta(hours=3))
        undone.undone = True
        self.entry(local_midnight + timedelta(hours=4), origin="automatic")
        self.assertEqual(self.counted(now), (len(counted),) * 3, tz)
        # Undoing one more and removing one: the totals follow at once.
        counted[1].undone = True
        counted[2].unlink()
        self.assertEqual(self.counted(now), (len(counted) - 2,) * 3, tz)

    def test_time_zone_west_of_utc(self):
        # Los Angeles (UTC-8 in January): midnight is 08:00 UTC, the UTC day started before.
        self.check_day(
            "America/Los_Angeles", datetime(2026, 1, 15, 20, 0), datetime(2026, 1, 15, 8, 0)
        )

    def test_time_zone_east_of_utc(self):
        # Kolkata (UTC+5:30): midnight is 18:30 UTC the day before, late in that UTC day.
        self.check_day("Asia/Kolkata", datetime(2026, 1, 15, 10, 0), datetime(2026, 1, 14, 18, 30))

    def test_late_evening_here_is_the_next_utc_day(self):
        # Los Angeles at 23:00 is 07:00 UTC the next day: two UTC days make my day.
        self.check_day(
            "America/Los_Angeles", datetime(2026, 1, 16, 7, 0), datetime(2026, 1, 15, 8, 0)
        )

    def test_utc(self):
        self.check_day("UTC", datetime(2026, 1, 15, 16, 0), datetime(2026, 1, 15, 0, 0))

    def test_other_companies_entries_are_not_counted(self):
        self.operator.tz = "UTC"
        now = datetime(2026, 1, 15, 16, 0)
        self.entry(now - timedelta(hours=1))
        self.entry(now - timedelta(hours=2), company_id=self.other_company.id)
        self.assertEqual(self.counted(now), (1, 1, 1))
