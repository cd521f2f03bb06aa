import json
from datetime import datetime, timezone

import pytz

from odoo.tests import tagged

from .common_routing import RoutingCase


def window_around(tz_name, now):
    """Calling hours, every day, open for the current hour of ``tz_name`` only."""
    hour = now.astimezone(pytz.timezone(tz_name)).hour
    return json.dumps({str(day): [hour, hour + 1] for day in range(7)})


@tagged("post_install", "-at_install")
class TestCallingHoursClaim(RoutingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "UTC"
        cls.tokyo = cls.env["res.partner"].create({"name": "Taro", "tz": "Asia/Tokyo"})
        cls.leads[2].partner_id = cls.tokyo

    def test_only_leads_whose_local_time_is_inside_the_window_are_offered(self):
        now = datetime.now(timezone.utc)
        self.env["ir.config_parameter"].set_param(
            "lead_flow.calling_hours", window_around("Asia/Tokyo", now)
        )
        self.assertEqual(self.leads[2].lead_flow_tz, "Asia/Tokyo")
        self.assertEqual(self.claim(self.operator), self.leads[2], "9:xx in Tokyo, open")
        self.assertFalse(self.claim(self.operator), "the others wait: it is night for them")
        # They are not skipped for good: in their hour they come.
        self.env["ir.config_parameter"].set_param(
            "lead_flow.calling_hours", window_around("UTC", now)
        )
        self.assertEqual(self.claim(self.operator), self.leads[0])

    def test_a_queue_with_its_own_hours(self):
        now = datetime.now(timezone.utc)
        self.env["ir.config_parameter"].set_param(
            "lead_flow.calling_hours", window_around("Asia/Tokyo", now)
        )
        default = self.env.ref("lead_flow.lead_flow_queue_default")
        default.calling_hours = window_around("UTC", now)
        self.assertFalse(default.lead_flow_restrict_hours is False)
        self.assertEqual(self.claim(self.operator), self.leads[0], "the queue's hours win")

    def test_a_partner_changing_time_zone_moves_its_lead(self):
        now = datetime.now(timezone.utc)
        self.env["ir.config_parameter"].set_param(
            "lead_flow.calling_hours", window_around("America/New_York", now)
        )
        self.assertFalse(self.claim(self.operator))
        self.tokyo.tz = "America/New_York"
        self.assertEqual(self.claim(self.operator), self.leads[2])
