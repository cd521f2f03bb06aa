"""The operator console's two server methods: what it shows, and Log & next."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import OPERATOR
from .common_routing import RoutingCase


@tagged("post_install", "-at_install")
class TestConsole(RoutingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leads[0].write(
            {
                "partner_name": "Aurora Ltd",
                "contact_name": "Anna Aurora",
                "phone": "+1 555 0100",
                "email_from": "anna@aurora.example.com",
            }
        )
        # The shared test lead is outside the routing scope; the console works LFR leads.
        cls.lead = cls.leads[0]

    def console(self, user, **kwargs):
        return self.env["crm.lead"].with_user(user).lead_flow_console_data(**kwargs)

    def log_and_next(self, user, lead, body="Called.", **kwargs):
        return self.env["crm.lead"].with_user(user).lead_flow_log_and_next(lead.id, body, **kwargs)

    # ------------------------------------------------------------------
    # lead_flow_console_data
    # ------------------------------------------------------------------
    def test_console_data_of_a_claimed_lead(self):
        lead = self.claim(self.operator)
        self.assertEqual(lead, self.leads[0])
        shown = self.console(self.operator, lead_id=lead.id)["lead"]
        self.assertEqual((shown["reserved_by_me"], shown["reserved_by"]), (True, "Olga Operator"))
        self.log_note(self.operator_2, "Earlier call.", lead=self.leads[1])
        self.log_note(self.operator, "Left a message.", template_id=self.tmpl_call_back.id)
        data = self.console(self.operator, lead_id=lead.id)
        shown = data["lead"]
        self.assertEqual(
            (shown["name"], shown["company"], shown["contact"], shown["phone"], shown["email"]),
            ("LFR 0", "Aurora Ltd", "Anna Aurora", "+1 555 0100", "anna@aurora.example.com"),
        )
        self.assertEqual(shown["state"], "in_progress")
        # A retry rule on the outcome may requeue the lead (and free it): shown as it is.
        mine = lead.lead_flow_reserved_user_id == self.operator
        self.assertEqual(shown["reserved_by_me"], mine)
        self.assertEqual([tag["name"] for tag in shown["tags"]], ["LF Call back"])
        self.assertEqual(shown["history"][0]["body"], "Left a message.")
        self.assertEqual(shown["history"][0]["template_id"], "LF Call back")
        self.assertEqual(shown["history"][0]["outcome"], "partial")
        self.assertIn("Left a message.", shown["messages"][0]["body"])
        names = [template["name"] for template in data["templates"]]
        self.assertIn("LF Call back", names)
        call_back = data["templates"][names.index("LF Call back")]
        self.assertEqual(call_back["outcome"], "partial")
        self.assertEqual([tag["name"] for tag in call_back["tags"]], ["LF Call back"])
        default_queue = self.env.ref("lead_flow.lead_flow_queue_default")
        self.assertIn(default_queue.id, [queue["id"] for queue in data["queues"]])
        self.assertEqual(data["counters"]["calls_today"], 1)
        self.assertEqual(data["counters"]["reserved"], int(mine))
        self.assertIn("positive", [key for key, _label in data["outcomes"]])
        self.assertTrue(data["can_skip"])

    def test_history_lists_the_last_entries_with_their_names(self):
        lead = self.leads[0]
        self.log_note(self.operator_2, "Otto called.", lead=lead)
        lead.with_user(self.operator_2).lead_flow_release()
        self.log_note(self.operator, "Olga called.", lead=lead, template_id=self.tmpl_call_back.id)
        mistake = self.log_note(self.operator, "Wrong lead.", lead=lead)
        mistake.with_user(self.operator).action_undo()
        shown = self.console(self.operator, lead_id=lead.id)["lead"]
        call = self.env.ref("lead_flow.log_type_call").name
        self.assertEqual(
            [
                (entry["body"], entry["user_id"], entry["type_id"], entry["template_id"])
                for entry in shown["history"]
            ],
            [
                ("Olga called.", "Olga Operator", call, "LF Call back"),
                ("Otto called.", "Otto Operator", call, None),
            ],
            "newest first, the undone entry left out",
        )
        self.assertEqual(shown["history"][0]["outcome_label"], "Partial")
        authors = {message["author"] for message in shown["messages"]}
        self.assertEqual(authors, {"Olga Operator", "Otto Operator"})

    def test_console_opens_on_the_lead_claimed_and_not_yet_worked(self):
        self.assertFalse(self.console(self.operator)["lead"], "nothing claimed yet")
        lead = self.claim(self.operator)
        self.assertEqual(self.console(self.operator)["lead"]["id"], lead.id)
        self.log_note(self.operator, lead=lead)
        self.assertFalse(self.console(self.operator)["lead"], "a worked lead is done with")

    def test_counters(self):
        lead = self.claim(self.operator)
        self.env["crm.lead"].browse(lead.id).with_user(self.operator).lead_flow_schedule_callback(
            fields.Datetime.now() + timedelta(hours=1)
        )
        self.move_callback(lead, -5)
        counters = self.console(self.operator)["counters"]
        self.assertEqual(counters["callbacks_due"], 1)
        self.assertEqual(counters["reserved"], 0, "a callback frees the reservation")

    def test_operator_on_own_documents_gets_nothing_of_a_colleagues_lead(self):
        restricted = new_test_user(
            self.env, "lf_console_own", groups=f"base.group_user,{OPERATOR}", name="Rita Own"
        )
        other = self.env["crm.lead"].create({"name": "LFR Otto", "user_id": self.operator_2.id})
        with self.assertRaises(AccessError):
            self.console(restricted, lead_id=other.id)
        with self.assertRaises(AccessError):
            self.log_and_next(restricted, other)
        self.assertFalse(other.lead_flow_log_ids)
        own = self.env["crm.lead"].create({"name": "LFR Rita", "user_id": restricted.id})
        self.assertEqual(self.console(restricted, lead_id=own.id)["lead"]["name"], "LFR Rita")

    def test_non_operators_are_refused(self):
        for user in (self.salesman, self.plain_user):
            with self.assertRaises(AccessError):
                self.console(user, lead_id=self.lead.id)
            with self.assertRaises(AccessError):
                self.log_and_next(user, self.lead)
        self.assertFalse(self.lead.lead_flow_log_ids)

    def test_setup_comes_again_only_for_another_company(self):
        """Predefined notes, queues and outcomes come with the first answer, then again
        only for a lead of another company than the one the console holds them for."""
        lead = self.claim(self.operator)
        main = self.env.company
        first = self.console(self.operator, lead_id=lead.id)
        self.assertEqual(first["setup_company_id"], main.id)
        self.assertIn("LF Call back", [template["name"] for template in first["templates"]])
        same = self.console(self.operator, lead_id=lead.id, setup_company_id=main.id)
        self.assertEqual(same["lead"]["id"], lead.id)
        self.assertFalse({"templates", "queues", "outcomes"} & set(same), "already held")
        other = self.env["res.company"].create({"name": "LF Console Other Co"})
        self.operator.company_ids = [(4, other.id)]
        self.env["lead.flow.note.template"].create(
            {"name": "LF Other Co note", "body": "Other.", "company_id": other.id}
        )
        abroad = self.env["crm.lead"].create({"name": "LFR abroad", "company_id": other.id})
        data = (
            self.env["crm.lead"]
            .with_user(self.operator)
            .with_context(allowed_company_ids=[main.id, other.id])
            .lead_flow_console_data(lead_id=abroad.id, setup_company_id=main.id)
        )
        self.assertEqual(data["setup_company_id"], other.id)
        names = [template["name"] for template in data["templates"]]
        self.assertIn("LF Other Co note", names, "the other company's predefined notes")
        self.assertTrue(data["queues"] and data["outcomes"])

    # ------------------------------------------------------------------
    # lead_flow_log_and_next
    # ------------------------------------------------------------------
    def test_log_and_next_logs_and_claims_the_next_lead(self):
        first = self.claim(self.operator)
        data = self.log_and_next(
            self.operator, first, "Busy.", template_id=self.tmpl_call_back.id, outcome="partial"
        )
        entry = first.lead_flow_log_ids
        self.assertEqual((entry.body, entry.template_id), ("Busy.", self.tmpl_call_back))
        self.assertIn(self.tag_call_back, first.tag_ids)
        self.assertEqual(first.lead_flow_outcome, "partial")
        self.assertEqual(data["lead"]["id"], self.leads[1].id)
        self.assertEqual(self.leads[1].lead_flow_reserved_user_id, self.operator)
        self.assertEqual(data["counters"]["calls_today"], 1)

    def test_log_and_next_with_a_callback(self):
        first = self.claim(self.operator)
        when = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        data = self.log_and_next(
            self.operator, first, "Call me tomorrow.", callback_at=fields.Datetime.to_string(when)
        )
        self.assertEqual(first.lead_flow_callback_at, when)
        self.assertEqual(first.lead_flow_callback_user_id, self.operator)
        self.assertFalse(first.lead_flow_reserved_user_id, "a callback frees the lead")
        self.assertEqual(data["lead"]["id"], self.leads[1].id)
        # A shared callback: anyone may call back.
        second = self.leads[1]
        self.log_and_next(
            self.operator, second, "Anyone.", callback_at=when, callback_personal=False
        )
        self.assertEqual(second.lead_flow_callback_at, when)
        self.assertFalse(second.lead_flow_callback_user_id)

    def test_log_and_next_closing_the_lead(self):
        first = self.claim(self.operator)
        self.log_and_next(self.operator, first, "No.", template_id=self.tmpl_not_interested.id)
        self.assertEqual(first.lead_flow_state, "done")
        self.assertFalse(first.lead_flow_reserved_user_id)

    def test_empty_queue(self):
        self.leads[1:].sudo().write({"lead_flow_state": "done"})
        first = self.claim(self.operator)
        data = self.log_and_next(self.operator, first, "Done.", close=True)
        self.assertFalse(data["lead"])
        self.assertEqual(first.lead_flow_state, "done")

    def test_bad_input_writes_nothing(self):
        first = self.claim(self.operator)
        past = fields.Datetime.now() - timedelta(hours=1)
        cases = [
            (ValidationError, {"body": "  "}),
            (ValidationError, {"outcome": "maybe"}),
            (ValidationError, {"callback_at": past}),
            (ValidationError, {"callback_at": "not a date"}),
            (ValidationError, {"callback_at": fields.Datetime.now() + timedelta(days=400)}),
            (
                ValidationError,
                {
                    "callback_at": fields.Datetime.now() + timedelta(days=1),
                    "template_id": self.tmpl_not_interested.id,
                },
            ),
            (ValidationError, {"template_id": 999999}),
            (UserError, {"queue_id": 999999}),
        ]
        for exception, kwargs in cases:
            kwargs.setdefault("body", "Called.")
            with self.subTest(**{k: str(v) for k, v in kwargs.items()}):
                with self.assertRefused(exception):
                    self.env["crm.lead"].with_user(self.operator).lead_flow_log_and_next(
                        first.id, **kwargs
                    )
                self.assertEqual(first.lead_flow_reserved_user_id, self.operator)
        self.assertFalse(self.leads[1].lead_flow_reserved_user_id, "nothing was claimed")
        with self.assertRaises(ValidationError):
            self.env["crm.lead"].with_user(self.operator).lead_flow_log_and_next(999999, "x")

    def test_colleagues_reserved_lead_is_refused(self):
        first = self.claim(self.operator_2)
        with self.assertRefused(UserError, "reserved by Otto Operator"):
            self.log_and_next(self.operator, first)
        self.assertFalse(self.leads[1].lead_flow_reserved_user_id)

    def test_console_next_claims_without_logging(self):
        data = self.env["crm.lead"].with_user(self.operator).lead_flow_console_next()
        self.assertEqual(data["lead"]["id"], self.leads[0].id)
        self.assertTrue(data["lead"]["reserved_by_me"])
        self.assertFalse(self.leads[0].lead_flow_log_ids)

    def test_log_and_next_query_count(self):
        """One round trip of the console: a bounded number of queries."""
        first = self.claim(self.operator)
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=200):
            self.log_and_next(self.operator, first, "Counted.")


@tagged("post_install", "-at_install")
class TestConsoleDashboard(RoutingCase):
    """The dashboard client action's data (lead.flow.dashboard.lead_flow_dashboard_data)."""

    def dashboard(self, user):
        return self.env["lead.flow.dashboard"].with_user(user).lead_flow_dashboard_data()

    def test_operator_figures_lists_and_graph(self):
        lead = self.claim(self.operator)
        self.log_note(self.operator, "First call.", lead=lead)
        self.leads[1].with_user(self.operator).lead_flow_schedule_callback(
            fields.Datetime.now() + timedelta(hours=2)
        )
        data = self.dashboard(self.operator)
        self.assertEqual(data["user_id"], self.operator.id)
        self.assertEqual(data["counters"]["calls_today"], 1)
        self.assertEqual(data["counters"]["reserved"], 1)
        self.assertEqual([cb["id"] for cb in data["callbacks"]], [self.leads[1].id])
        self.assertFalse(data["callbacks"][0]["due"])
        self.assertIn(self.leads[4].id, [row["id"] for row in data["recent_leads"]])
        # The leads created by the test count today, in this month's series.
        today = fields.Datetime.now().day
        self.assertGreaterEqual(data["per_day"]["current"][today - 1], 5)
        self.assertEqual(len(data["per_day"]["previous"]), 31)
        self.assertFalse(data["team"], "the team's figures are for leaders and managers")

    def test_manager_sees_the_team_today(self):
        before = self.dashboard(self.manager)["team"]["calls"]  # the database's own calls
        self.log_note(self.operator, "One.", lead=self.leads[0])
        self.log_note(self.operator, "Two.", lead=self.leads[1])
        self.log_note(self.operator_2, "Three.", lead=self.leads[2])
        team = self.dashboard(self.manager)["team"]
        self.assertEqual(team["calls"], before + 3)
        ours = {"Olga Operator", "Otto Operator"}
        self.assertEqual(
            [(row["user"], row["calls"]) for row in team["operators"] if row["user"] in ours],
            [("Olga Operator", 2), ("Otto Operator", 1)],
        )
        self.assertIsInstance(team["return_rate"], float)

    def test_plain_users_are_refused(self):
        with self.assertRaises(AccessError):
            self.dashboard(self.plain_user)
