from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LeadFlowCase

# What the pivot asks for (see the web client's pivot model: "<field>:<aggregator>").
MEASURES = [
    "call_count:sum",
    "lead_id:count_distinct",
    "closed_count:sum",
    "closing_rate:avg",
]
FAST_MEASURES = ["call_count:sum", "closed_count:sum", "closing_rate:avg"]


@tagged("post_install", "-at_install")
class TestReport(LeadFlowCase):
    """A small known dataset: Olga (Europe/Rome, UTC+1 in January) and Otto (no timezone
    of his own, so his company's: Asia/Tokyo, UTC+9), three leads, one undone entry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator.tz = "Europe/Rome"
        cls.operator_2.tz = False
        cls.env.company.partner_id.tz = "Asia/Tokyo"
        Lead = cls.env["crm.lead"]
        cls.lead_a, cls.lead_b, cls.lead_c = Lead.create(
            [{"name": f"LF report {x}", "type": "lead"} for x in "ABC"]
        )
        cls.leads = cls.lead_a | cls.lead_b | cls.lead_c
        call = cls.env.ref("lead_flow.log_type_call")
        rows = [
            # user, lead, UTC date, outcome, closes_lead, undone
            (cls.operator, cls.lead_a, "2026-01-05 08:30:00", "partial", False, False),
            (cls.operator, cls.lead_a, "2026-01-05 16:10:00", "positive", False, False),
            (cls.operator, cls.lead_b, "2026-01-06 22:45:00", "negative", True, False),
            # 23:15 UTC on Tuesday is 00:15 on Wednesday in Rome
            (cls.operator, cls.lead_c, "2026-01-06 23:15:00", "positive", True, False),
            (cls.operator, cls.lead_a, "2026-01-07 09:00:00", "positive", True, True),
            # 16:00 UTC on Monday is 01:00 on Tuesday in Tokyo
            (cls.operator_2, cls.lead_c, "2026-01-05 16:00:00", "partial", False, False),
            (cls.operator_2, cls.lead_c, "2026-01-05 08:00:00", "unclassified", False, False),
        ]
        cls.entries = cls.env["lead.flow.log"].create(
            [
                {
                    "lead_id": lead.id,
                    "user_id": user.id,
                    "date": date,
                    "type_id": call.id,
                    "body": "Report test call.",
                    "outcome": outcome,
                    "closes_lead": closes,
                    "company_id": cls.env.company.id,
                }
                for user, lead, date, outcome, closes, _undone in rows
            ]
        )
        cls.undone_entry = cls.entries[4]
        cls.undone_entry.undone = True

    def _groups(self, groupby, user=None):
        Report = self.env["lead.flow.report"].with_user(user or self.manager)
        groups = Report.read_group(
            [("lead_id", "in", self.leads.ids)], MEASURES, groupby, lazy=False
        )
        return {
            tuple(g[f][0] if isinstance(g[f], tuple) else g[f] for f in groupby): (
                g["call_count"],
                g["lead_id"],
                g["closed_count"],
                g["closing_rate"],
            )
            for g in groups
        }

    def test_totals_exclude_undone_entries(self):
        # 6 calls on 3 leads, 2 closed: 33.33 % (the undone 7th call is not counted)
        self.assertEqual(self._groups([]), {(): (6, 3, 2, 33.33)})
        rows = self.env["lead.flow.report"].search([("lead_id", "in", self.leads.ids)])
        self.assertEqual(len(rows), 6)
        self.assertNotIn(self.undone_entry.id, rows.ids)

    def test_closing_rate_is_recomputed_per_group_not_averaged(self):
        by_user = self._groups(["user_id"])
        self.assertEqual(
            by_user,
            {
                (self.operator.id,): (4, 3, 2, 50.0),
                (self.operator_2.id,): (2, 1, 0, 0.0),
            },
        )
        # the operators' average rate would be 25 %; the total is 2 closed / 6 calls
        self.assertEqual(self._groups([])[()][3], 33.33)
        self.assertEqual(
            self._groups(["outcome"]),
            {
                ("negative",): (1, 1, 1, 100.0),
                ("positive",): (2, 2, 1, 50.0),
                ("partial",): (2, 2, 0, 0.0),
                ("unclassified",): (1, 1, 0, 0.0),
            },
        )
        cells = self._groups(["user_id", "outcome"])
        self.assertEqual(cells[(self.operator.id, "positive")], (2, 2, 1, 50.0))
        self.assertEqual(cells[(self.operator_2.id, "partial")], (1, 1, 0, 0.0))
        self.assertEqual(len(cells), 5)

    def test_hour_and_weekday_on_the_operators_clock(self):
        # Rome: 09:30 Mon, 17:10 Mon, 23:45 Tue, 00:15 Wed; Tokyo: 01:00 Tue, 17:00 Mon
        self.assertEqual(
            {k: v[0] for k, v in self._groups(["hour"]).items()},
            {(0,): 1, (1,): 1, (9,): 1, (17,): 2, (23,): 1},
        )
        self.assertEqual(
            {k: v[0] for k, v in self._groups(["weekday"]).items()},
            {("1",): 3, ("2",): 2, ("3",): 1},
        )
        by_slot = self._groups(["user_id", "hour"])
        self.assertEqual(by_slot[(self.operator.id, 23)], (1, 1, 1, 100.0))
        self.assertEqual(by_slot[(self.operator.id, 0)], (1, 1, 1, 100.0))
        self.assertEqual(by_slot[(self.operator.id, 17)], (1, 1, 0, 0.0))
        self.assertEqual(by_slot[(self.operator_2.id, 1)], (1, 1, 0, 0.0))
        row = self.env["lead.flow.report"].browse(self.entries[3].id)
        self.assertEqual((row.hour, row.weekday), (0, "3"))

    def test_operator_sees_own_figures_manager_sees_all(self):
        self.assertEqual(self._groups([], user=self.operator), {(): (4, 3, 2, 50.0)})
        self.assertEqual(self._groups([], user=self.operator_2), {(): (2, 1, 0, 0.0)})
        self.assertEqual(self._groups([], user=self.manager), {(): (6, 3, 2, 33.33)})
        Report = self.env["lead.flow.report"]
        mine = Report.with_user(self.operator_2).search([("lead_id", "in", self.leads.ids)])
        self.assertEqual(mine.mapped("user_id"), self.operator_2)
        with self.assertRaises(AccessError):
            Report.with_user(self.salesman).search([])

    def test_notes_logged_through_the_api_show_up(self):
        lead = self.env["crm.lead"].create({"name": "LF report live", "type": "lead"})
        self.leads |= lead
        log = self.log_note(
            self.operator, lead=lead, template_id=self.tmpl_not_interested.id, close=True
        )
        row = self.env["lead.flow.report"].browse(log.id)
        self.assertEqual(
            (row.user_id, row.lead_id, row.outcome, row.closes_lead, row.closed_count),
            (self.operator, lead, "negative", True, 1),
        )
        self.assertEqual(self._groups([], user=self.operator), {(): (5, 4, 3, 60.0)})

    def test_daily_totals_answer_like_the_entries(self):
        """Pivots on operator/outcome/team/type are read from the daily totals (kept by
        triggers), with the entries themselves for days cut by a date bound: same figures."""
        self.entries[1].outcome = "negative"  # e.g. the AI or a manager reclassifies
        Report = self.env["lead.flow.report"].with_user(self.manager)
        users = [("user_id", "in", (self.operator | self.operator_2).ids)]
        since_noon = [*users, ("date", ">=", "2026-01-05 12:00:00")]
        expected = {
            (): (6, 2, 33.33),
            ("user_id",): (4, 2, 50.0),
            ("outcome",): (2, 1, 50.0),  # negative: one closed of two calls
        }
        for groupby, figures in expected.items():
            with self.subTest(groupby=groupby):
                rows = Report.read_group(users, FAST_MEASURES, list(groupby), lazy=False)
                self.assertEqual(
                    (rows[0]["call_count"], rows[0]["closed_count"], rows[0]["closing_rate"]),
                    figures,
                )
        for domain in (users, since_noon):
            for groupby in ([], ["user_id"], ["outcome"], ["user_id", "outcome"]):
                with self.subTest(domain=domain, groupby=groupby):
                    specs = ["__count", *FAST_MEASURES]
                    fast = Report._read_group(domain, groupby, specs)
                    raw = Report.with_context(lead_flow_report_raw=True)._read_group(
                        domain, groupby, specs
                    )
                    self.assertEqual(sorted(map(str, fast)), sorted(map(str, raw)))
        # the daily totals follow the same record rules: Olga sees her own 4 calls only
        mine = Report.with_user(self.operator).read_group(users, FAST_MEASURES, [], lazy=False)
        self.assertEqual((mine[0]["call_count"], mine[0]["closing_rate"]), (4, 50.0))
        # since noon on the 5th: Olga's 16:10, 22:45, 23:15 and Otto's 16:00
        rows = Report.read_group(since_noon, ["call_count:sum"], [], lazy=False)
        self.assertEqual(rows[0]["call_count"], 4)
        daily = self.env["lead.flow.report.daily"].read_group(
            [("user_id", "=", self.operator.id), ("call_count", "!=", 0)],
            ["call_count:sum"],
            ["date:day"],
            lazy=False,
        )
        self.assertEqual(
            {g["date:day"]: g["call_count"] for g in daily},
            {"05 Jan 2026": 2, "06 Jan 2026": 2},
        )
        self.entries[0].unlink()
        self.assertEqual(
            Report.read_group(users, ["call_count:sum"], [], lazy=False)[0]["call_count"], 5
        )

    def test_views_load(self):
        Report = self.env["lead.flow.report"].with_user(self.operator)
        views = Report.get_views(
            [(False, "pivot"), (False, "graph"), (False, "list"), (False, "search")]
        )["views"]
        pivot = views["pivot"]["arch"]
        self.assertIn('<field name="user_id" type="row"/>', pivot)
        self.assertIn('<field name="outcome" type="col"/>', pivot)
        self.assertIn('<field name="closing_rate" type="measure"/>', pivot)
        self.assertIn('type="bar"', views["graph"]["arch"])
        for name in ("this_week", "this_month", "last_30_days", "my_team", "group_hour"):
            self.assertIn(f'name="{name}"', views["search"]["arch"])
        action = self.env.ref("lead_flow.action_lead_flow_report")
        self.assertEqual(action.view_mode, "pivot,graph,list")
        self.assertIn("search_default_last_30_days", action.context)
        menu = self.env.ref("lead_flow.menu_lead_flow_report")
        self.assertEqual(menu.parent_id, self.env.ref("crm.crm_menu_report"))


@tagged("post_install", "-at_install")
class TestLeadsPerDay(LeadFlowCase):
    def test_this_month_against_previous_month(self):
        Lead = self.env["crm.lead"]
        new, old, older = Lead.create([{"name": f"LF day {i}", "type": "lead"} for i in range(3)])
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE crm_lead SET create_date = CASE id
                   WHEN %s THEN date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 day'
                   ELSE date_trunc('month', now() AT TIME ZONE 'UTC') - interval '40 days' END
               WHERE id IN %s""",
            [old.id, (old.id, older.id)],
        )
        self.env.invalidate_all()
        Day = self.env["lead.flow.lead.day.report"].with_user(self.operator)
        domain = [("lead_id", "in", (new | old | older).ids)]
        groups = Day.read_group(domain, ["lead_count:sum"], ["period"], lazy=False)
        self.assertEqual(
            {g["period"]: g["lead_count"] for g in groups}, {"current": 1, "previous": 1}
        )
        row = Day.search([("lead_id", "=", new.id)])
        self.assertEqual(row.day, datetime.utcnow().day)
        graph = Day.get_views([(False, "graph")])["views"]["graph"]["arch"]
        self.assertIn('<field name="period"/>', graph)
