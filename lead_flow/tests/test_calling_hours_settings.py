"""The lead's time zone (SQL function lead_flow_lead_tz, crm.lead.lead_flow_tz) and the
calling hours in Settings (lead.flow.calling.hours.mixin on res.config.settings)."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from ..lib import calling_hours
from .common import MANAGER, WEEKDAYS_9_TO_20, set_calling_hours


@tagged("post_install", "-at_install")
class TestLeadTimezone(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        State = cls.env["res.country.state"]
        cls.california = State.search([("country_id.code", "=", "US"), ("code", "=", "CA")])
        cls.quebec = State.search([("country_id.code", "=", "CA"), ("code", "=", "QC")])
        cls.france = cls.env.ref("base.fr")
        cls.canada = cls.env.ref("base.ca")
        cls.company = cls.env["res.company"].create({"name": "LF Tokyo company"})
        cls.company.partner_id.tz = "Asia/Tokyo"
        cls.bare_company = cls.env["res.company"].create({"name": "LF company without tz"})
        cls.bare_company.partner_id.tz = False
        cls.partner = cls.env["res.partner"].create({"name": "LF Paris", "tz": "Europe/Paris"})
        cls.partner_no_tz = cls.env["res.partner"].create({"name": "LF no tz", "tz": False})

    def sql_tz(self, partner=None, state=None, country=None, company=None):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT lead_flow_lead_tz(%s, %s, %s, %s)",
            [rec.id if rec else None for rec in (partner, state, country, company)],
        )
        return self.env.cr.fetchone()[0]

    def test_function_fallbacks(self):
        us = self.california.country_id
        cases = [
            ("partner tz first", (self.partner, self.california, us, self.company), "Europe/Paris"),
            (
                "US state",
                (self.partner_no_tz, self.california, us, self.company),
                "America/Los_Angeles",
            ),
            ("Canadian province", (None, self.quebec, self.canada, None), "America/Toronto"),
            ("state without country", (None, self.california, None, None), "America/Los_Angeles"),
            ("country", (None, None, self.france, self.company), "Europe/Paris"),
            ("country's main zone", (None, None, self.canada, None), "America/Toronto"),
            ("company", (self.partner_no_tz, None, None, self.company), "Asia/Tokyo"),
            ("UTC", (None, None, None, self.bare_company), "UTC"),
            ("nothing at all", (None, None, None, None), "UTC"),
        ]
        for label, args, expected in cases:
            with self.subTest(label):
                self.assertEqual(self.sql_tz(*args), expected)

    def test_region_table(self):
        self.env.cr.execute(
            "SELECT count(*) FILTER (WHERE state_code = ''), count(*) FILTER"
            " (WHERE country_code IN ('US', 'CA') AND state_code != ''),"
            " array_agg(DISTINCT tz) FROM lead_flow_region_tz"
        )
        countries, us_ca_states, zones = self.env.cr.fetchone()
        self.assertGreater(countries, 200)
        self.assertEqual(us_ca_states, 62 + 13)
        # Calling hours match the lead's time zone against these names.
        self.assertFalse(set(zones) - set(calling_hours.pytz.all_timezones))

    def test_lead_fields_in_one_query(self):
        Lead = self.env["crm.lead"]
        leads = Lead.create(
            [
                {"name": "LF tz partner", "partner_id": self.partner.id},
                {"name": "LF tz state", "state_id": self.california.id, "country_id": False},
                {"name": "LF tz country", "country_id": self.france.id},
                {
                    "name": "LF tz company",
                    "company_id": self.company.id,
                    "user_id": False,
                    "team_id": False,
                },
            ]
        )
        self.env.flush_all()

        def queries(records):
            records.invalidate_recordset()
            before = self.env.cr.sql_log_count
            values = records.mapped("lead_flow_tz")
            return self.env.cr.sql_log_count - before, values

        zones = queries(leads)[1]  # warms the caches (language, user)
        # One query for the whole recordset, however many leads it holds.
        self.assertEqual(queries(leads[:1])[0], queries(leads)[0])
        self.assertEqual(
            zones, ["Europe/Paris", "America/Los_Angeles", "Europe/Paris", "Asia/Tokyo"]
        )
        self.assertRegex(leads[0].lead_flow_local_time, r"^\w+\.? \d\d:\d\d \(Europe/Paris\)$")

    def test_lead_form_shows_the_values_being_edited(self):
        admin_env = self.env(user=self.env.ref("base.user_admin"))
        with Form(admin_env["crm.lead"]) as form:
            form.name = "LF tz form"
            form.country_id = self.france
            self.assertIn("(Europe/Paris)", form.lead_flow_local_time)
            form.state_id = self.california
            form.country_id = self.california.country_id
            self.assertIn("(America/Los_Angeles)", form.lead_flow_local_time)


@tagged("post_install", "-at_install")
class TestCallingHoursSettings(TransactionCase):
    def setUp(self):
        super().setUp()
        self.admin_env = self.env(user=self.env.ref("base.user_admin"))
        set_calling_hours(self.env, "")

    def param(self):
        return self.env["ir.config_parameter"].sudo().get_param(calling_hours.PARAM) or ""

    def test_any_time_by_default(self):
        settings = self.admin_env["res.config.settings"].create({})
        self.assertFalse(settings.lead_flow_restrict_hours)
        # Turning the switch on proposes weekdays from 09:00 to 20:00.
        self.assertEqual(settings.lead_flow_hours_mon_from, 9.0)
        self.assertEqual(settings.lead_flow_hours_fri_to, 20.0)
        self.assertEqual(settings.lead_flow_hours_sat_to, 0.0)
        settings.execute()
        self.assertEqual(self.param(), "")

    def test_round_trip(self):
        with Form(self.admin_env["res.config.settings"]) as form:
            form.lead_flow_restrict_hours = True
            form.lead_flow_hours_mon_from = 8.5
            form.lead_flow_hours_sat_from = 10.0
            form.lead_flow_hours_sat_to = 13.5
            form.lead_flow_hours_fri_from = 0.0
            form.lead_flow_hours_fri_to = 0.0  # closed on Fridays
        form.record.execute()
        expected = {0: (8.5, 20.0), 1: (9.0, 20.0), 2: (9.0, 20.0), 3: (9.0, 20.0), 5: (10.0, 13.5)}
        self.assertEqual(calling_hours.parse(self.param()), expected)

        reopened = self.admin_env["res.config.settings"].create({})
        self.assertTrue(reopened.lead_flow_restrict_hours)
        self.assertEqual(reopened.lead_flow_hours_mon_from, 8.5)
        self.assertEqual(reopened.lead_flow_hours_sat_to, 13.5)
        self.assertEqual(
            (reopened.lead_flow_hours_fri_from, reopened.lead_flow_hours_fri_to), (0, 0)
        )

        with Form(reopened) as form:
            form.lead_flow_restrict_hours = False
        form.record.execute()
        self.assertEqual(self.param(), "", "switch off: any time")

    def test_errors_in_the_users_words(self):
        cases = [
            (
                {"lead_flow_hours_tue_from": 20.0, "lead_flow_hours_tue_to": 9.0},
                "Tuesday: the calling window ends before it starts.",
            ),
            (
                {"lead_flow_hours_wed_from": 9.0, "lead_flow_hours_wed_to": 9.0},
                "Wednesday: the calling window ends when it starts.",
            ),
            (
                {"lead_flow_hours_sun_from": 9.0, "lead_flow_hours_sun_to": 25.0},
                "Sunday: the hours must be between 00:00 and 24:00.",
            ),
            (
                {
                    f"lead_flow_hours_{day}_{bound}": 0.0
                    for day in ("mon", "tue", "wed", "thu", "fri")
                    for bound in ("from", "to")
                },
                "every day is closed",
            ),
        ]
        for values, message in cases:
            with self.subTest(message):
                with self.assertRaises(ValidationError) as caught:
                    self.admin_env["res.config.settings"].create(
                        {"lead_flow_restrict_hours": True, **values}
                    )
                self.assertIn(message, str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.admin_env["res.config.settings"].create(
                {"lead_flow_calling_hours": '{"1": [20, 9]}'}
            )
        self.assertEqual(
            str(caught.exception), "Tuesday: the calling window ends before it starts."
        )
        with self.assertRaises(ValidationError) as caught:
            self.admin_env["res.config.settings"].create({"lead_flow_calling_hours": "9-20"})
        self.assertIn("The calling hours are not valid", str(caught.exception))
        self.assertEqual(self.param(), "")

    def test_written_text_is_shown(self):
        set_calling_hours(self.env, WEEKDAYS_9_TO_20)
        settings = self.admin_env["res.config.settings"].create({})
        self.assertTrue(settings.lead_flow_restrict_hours)
        self.assertEqual(settings.lead_flow_calling_hours, WEEKDAYS_9_TO_20)
        self.assertEqual(
            (settings.lead_flow_hours_sun_from, settings.lead_flow_hours_sun_to), (0, 0)
        )

    def test_only_administrators_change_it(self):
        manager = new_test_user(
            self.env,
            "lf_hours_manager",
            groups=f"base.group_user,sales_team.group_sale_manager,{MANAGER}",
        )
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(manager).create(
                {"lead_flow_restrict_hours": True}
            )
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(manager).set_param(
                calling_hours.PARAM, WEEKDAYS_9_TO_20
            )
        self.assertEqual(self.param(), "")

    def test_errors_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["lead_flow"], ["fr_FR"], overwrite=True)
        french = self.admin_env(context=dict(self.admin_env.context, lang="fr_FR"))
        with self.assertRaises(ValidationError) as caught:
            french["res.config.settings"].create(
                {
                    "lead_flow_restrict_hours": True,
                    "lead_flow_hours_tue_from": 20.0,
                    "lead_flow_hours_tue_to": 9.0,
                }
            )
        self.assertEqual(
            str(caught.exception), "Mardi : la plage d'appel se termine avant de commencer."
        )
        field = french["res.config.settings"].fields_get(["lead_flow_restrict_hours"])
        self.assertEqual(
            field["lead_flow_restrict_hours"]["string"], "Restreindre les heures d'appel"
        )
