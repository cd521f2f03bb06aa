"""Lead Flow data follows the lead's visibility, for users restricted by crm's own rules.

Two companies, two teams. ``own_a`` and ``own_b`` are operators with crm's "own documents
only" right (Operator implies Salesman, not All leads), members of team A and team B;
``own_2`` works in the second company only; ``leader_a`` leads team A without the All
leads right; the manager sees every lead of both companies. crm shows a salesperson the
leads assigned to them and the unassigned ones; ``lead_open`` is unassigned, so both
``own_a`` and ``own_b`` see it and its entries, and nobody else's.
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ALL_LEADS, MANAGER, OPERATOR, TEAM_LEADER, LeadFlowCase

# Leads each actor reads (crm's rules), hence whose entries and report rows they read.
READS = {
    "own_a": {"lead_a", "lead_open"},
    "own_b": {"lead_b", "lead_open"},
    "own_2": {"lead_2"},
    "leader_a": {"lead_a", "lead_open"},
    "manager": {"lead_a", "lead_b", "lead_open", "lead_2"},
}


@tagged("post_install", "-at_install")
class TestLeadVisibility(LeadFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_1 = cls.env.company
        company_2 = cls.company_2 = cls.env["res.company"].create({"name": "LF Second Company"})
        both = {"company_ids": [Command.set((company_1 | company_2).ids)]}
        only_2 = {"company_id": company_2.id, "company_ids": [Command.set(company_2.ids)]}
        own = f"base.group_user,{OPERATOR}"
        cls.actors = {
            "own_a": new_test_user(cls.env, "lf_vis_own_a", groups=own, name="Ada Own"),
            "own_b": new_test_user(cls.env, "lf_vis_own_b", groups=own, name="Bob Own"),
            "own_2": new_test_user(cls.env, "lf_vis_own_2", groups=own, name="Cleo Own", **only_2),
            "leader_a": new_test_user(
                cls.env, "lf_vis_leader", groups=f"base.group_user,{TEAM_LEADER}", name="Lea Lead"
            ),
            "manager": new_test_user(
                cls.env, "lf_vis_manager", groups=f"base.group_user,{MANAGER}", **both
            ),
        }
        actor = cls.actors
        Team = cls.env["crm.team"]
        team_a = Team.create(
            {"name": "LF Vis A", "user_id": actor["leader_a"].id, "company_id": company_1.id}
        )
        team_b = Team.create({"name": "LF Vis B", "company_id": company_1.id})
        team_2 = Team.create({"name": "LF Vis 2", "company_id": company_2.id})
        cls.leads = dict(
            zip(
                ("lead_a", "lead_b", "lead_open", "lead_2"),
                cls.env["crm.lead"].create(
                    [
                        {"name": name, "type": "lead", "user_id": user.id, "team_id": team.id}
                        | {"company_id": team.company_id.id}
                        for name, user, team in (
                            ("LF Vis lead A", actor["own_a"], team_a),
                            ("LF Vis lead B", actor["own_b"], team_b),
                            ("LF Vis open lead", cls.env["res.users"], team_b),
                            ("LF Vis lead 2", actor["own_2"], team_2),
                        )
                    ]
                ),
                strict=True,
            )
        )
        # Each operator logs on the leads they work; both log on the unassigned lead.
        cls.notes = {}
        for who, lead_key in (
            ("own_a", "lead_a"),
            ("own_b", "lead_b"),
            ("own_a", "lead_open"),
            ("own_2", "lead_2"),
        ):
            lead = cls.leads[lead_key].with_user(actor[who])
            cls.notes[lead_key, who] = lead.lead_flow_log_note(f"{who} called {lead.name}.")
            lead.sudo().lead_flow_release()  # the next operator may log on it too
        lead_open = cls.leads["lead_open"].with_user(actor["own_b"])
        cls.notes["lead_open", "own_b"] = lead_open.lead_flow_log_note("own_b called too.")
        cls.all_lead_ids = [lead.id for lead in cls.leads.values()]
        cls.today = [
            ("date", ">=", fields.Datetime.now() - timedelta(days=1)),
            ("lead_id", "in", cls.all_lead_ids),
        ]

    def lead_ids(self, names):
        return {self.leads[name].id for name in names}

    def test_entries_follow_the_lead(self):
        """search_read over RPC returns the entries, note text included, of the leads the
        user reads; reading a hidden one by id is refused."""
        Log = self.env["lead.flow.log"]
        hidden_entry = Log.browse(self.notes["lead_b", "own_b"])
        for name, user in self.actors.items():
            with self.subTest(actor=name):
                rows = Log.with_user(user).search_read(
                    [("lead_id", "in", self.all_lead_ids)], ["lead_id", "body"]
                )
                expected = Log.search([("lead_id", "in", list(self.lead_ids(READS[name])))])
                self.assertEqual({row["id"] for row in rows}, set(expected.ids))
                self.assertEqual({row["lead_id"][0] for row in rows}, self.lead_ids(READS[name]))
        with self.assertRaises(AccessError):
            hidden_entry.with_user(self.actors["own_a"]).read(["body"])

    def test_rows_follow_the_lead_when_it_changes_hands(self):
        own_a = self.actors["own_a"]
        Log = self.env["lead.flow.log"].with_user(own_a)
        mine_on_open = Log.browse(self.notes["lead_open", "own_a"])
        self.assertTrue(mine_on_open.read(["body"]))
        self.leads["lead_open"].user_id = self.actors["own_b"]
        self.env.invalidate_all()
        self.assertFalse(Log.search([("id", "=", mine_on_open.id)]), "their own entry too")
        with self.assertRaises(AccessError):
            mine_on_open.action_undo()
        self.assertFalse(mine_on_open.sudo().undone)

    def test_report_rows_follow_the_lead(self):
        """Operators see their own figures of the leads they read; the team leader their
        team's leads' rows; the manager every row."""
        Report = self.env["lead.flow.report"]
        Log = self.env["lead.flow.log"]
        for name, user in self.actors.items():
            visible = Log.search([("lead_id", "in", list(self.lead_ids(READS[name])))])
            if name.startswith("own"):
                visible = visible.filtered(lambda entry, user=user: entry.user_id == user)
            elif name == "leader_a":  # their team's rows; lead_open is team B's
                visible = visible.filtered(lambda entry: entry.lead_id == self.leads["lead_a"])
            manual = visible.filtered(lambda entry: entry.origin == "manual")
            with self.subTest(actor=name):
                rows = Report.with_user(user).search(self.today)
                self.assertEqual(set(rows.ids), set(manual.ids))
                # The pivot's totals: the same rows, whichever way the report answers.
                totals = Report.with_user(user)._read_group(
                    self.today[:1], ["lead_id"], ["call_count:sum"]
                )
                counted = {lead.id: calls for lead, calls in totals if lead.id in self.all_lead_ids}
                expected = {}
                for entry in manual:
                    expected[entry.lead_id.id] = expected.get(entry.lead_id.id, 0) + 1
                self.assertEqual(counted, expected)

    def test_whole_day_totals_only_for_users_who_see_every_lead(self):
        start = fields.Datetime.now().replace(hour=0, minute=0, second=0) - timedelta(days=1)
        day = [("date", ">=", start)]
        Daily = self.env["lead.flow.report.daily"]
        for name in ("own_a", "own_2", "leader_a"):
            with self.subTest(actor=name):
                self.assertFalse(Daily.with_user(self.actors[name]).search(day))
                # Their pivot is read from their own rows instead, never from the totals.
                groups = (
                    self.env["lead.flow.report"]
                    .with_user(self.actors[name])
                    ._read_group(day, ["user_id"], ["call_count:sum"])
                )
                users = {user for user, _calls in groups}
                if name.startswith("own"):
                    self.assertEqual(users, {self.actors[name]})
        manager = self.actors["manager"]
        totals = dict(
            self.env["lead.flow.report"]
            .with_user(manager)
            ._read_group(day, ["user_id"], ["call_count:sum"])
        )
        self.assertEqual(totals[self.actors["own_a"]], 2)
        self.assertEqual(totals[self.actors["own_2"]], 1)
        self.assertTrue(Daily.with_user(manager).search(day))

    def test_leads_per_day_report_lists_only_readable_leads(self):
        Report = self.env["lead.flow.lead.day.report"]
        for name, user in self.actors.items():
            with self.subTest(actor=name):
                rows = Report.with_user(user).search_read(
                    [("lead_id", "in", self.all_lead_ids)], ["lead_id"]
                )
                self.assertEqual({row["lead_id"][0] for row in rows}, self.lead_ids(READS[name]))

    def test_forged_entry_on_a_hidden_lead_is_refused_and_not_counted(self):
        own_b = self.actors["own_b"]
        lead_a = self.leads["lead_a"]
        manager_report = self.env["lead.flow.report"].with_user(self.actors["manager"])
        before = manager_report._read_group(self.today[:1], [], ["closed_count:sum"])
        count = self.env["lead.flow.log"].search_count([("lead_id", "=", lead_a.id)])
        with self.assertRaises(AccessError):
            self.env["lead.flow.log"].with_user(own_b).create(
                {
                    "lead_id": lead_a.id,
                    "type_id": self.env.ref("lead_flow.log_type_call").id,
                    "body": "Closed it myself.",
                    "outcome": "positive",
                    "closes_lead": True,
                }
            )
        with self.assertRaises(AccessError):
            lead_a.with_user(own_b).lead_flow_log_note("Closed it myself.", close=True)
        self.assertEqual(
            self.env["lead.flow.log"].search_count([("lead_id", "=", lead_a.id)]), count
        )
        self.assertEqual(
            manager_report._read_group(self.today[:1], [], ["closed_count:sum"]), before
        )
        self.assertEqual(lead_a.lead_flow_state, "in_progress")

    def test_an_all_leads_operator_reads_every_entry_of_their_company(self):
        operator = new_test_user(
            self.env, "lf_vis_all", groups=f"base.group_user,{OPERATOR},{ALL_LEADS}"
        )
        rows = (
            self.env["lead.flow.log"]
            .with_user(operator)
            .search([("lead_id", "in", self.all_lead_ids)])
        )
        self.assertEqual(set(rows.lead_id.ids), self.lead_ids(READS["own_a"] | READS["own_b"]))

    def test_dashboard_lists_only_readable_leads(self):
        for name in ("own_a", "own_b"):
            board = (
                self.env["lead.flow.dashboard"]
                .with_user(self.actors[name])
                .browse(self.actors[name].id)
            )
            recent = set(board.recent_lead_ids.ids) & set(self.all_lead_ids)
            with self.subTest(actor=name):
                self.assertEqual(recent, self.lead_ids(READS[name]))

    def test_entries_and_totals_follow_their_lead_to_another_company(self):
        operator = new_test_user(
            self.env, "lf_vis_all_1", groups=f"base.group_user,{OPERATOR},{ALL_LEADS}"
        )
        lead_b = self.leads["lead_b"]
        Log = self.env["lead.flow.log"].with_user(operator)
        entries = Log.search([("lead_id", "=", lead_b.id)])
        self.assertTrue(entries)
        day = [("date", ">=", fields.Datetime.now().replace(hour=0, minute=0, second=0))]
        Daily = self.env["lead.flow.report.daily"]

        def calls(company):
            groups = Daily._read_group(
                [*day, ("user_id", "=", self.actors["own_b"].id), ("company_id", "=", company.id)],
                [],
                ["call_count:sum"],
            )
            return groups[0][0] or 0

        before_1 = calls(self.env.company)
        lead_b.write({"user_id": False, "team_id": False, "company_id": self.company_2.id})
        self.env.flush_all()
        self.assertEqual(set(entries.sudo().mapped("company_id")), {self.company_2})
        self.assertFalse(Log.search([("lead_id", "=", lead_b.id)]), "gone with its lead")
        self.assertFalse(
            self.env["lead.flow.report"].with_user(operator).search([("lead_id", "=", lead_b.id)])
        )
        # The daily totals moved with the lead (own_b's note on lead_b).
        self.assertEqual(calls(self.env.company), before_1 - 1)
        self.assertEqual(calls(self.company_2), 1)
