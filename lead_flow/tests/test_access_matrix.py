"""Who may do what: one row per (actor, action, target, expected), checked by its effect.

``operator`` wrote ``entry_a`` / ``entry_b`` and holds ``lead_a`` (team A, salesperson
operator) and ``lead_b`` (team B, no salesperson); ``lead_c`` (team B) and ``lead_free``
(team A) are assigned to operator. ``team_leader`` leads team A only, without the "All leads"
right; ``operator_2`` leads team B in the CRM but is not in the Team Leader group. Each row
runs in a savepoint rolled back afterwards; an allowed action must have its effect, a refused
one must raise exactly the expected error and change nothing (checked before the rollback).
"""

from collections import namedtuple
from contextlib import closing

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ALL_LEADS, MANAGER, TEAM_LEADER, LeadFlowCase

OK = "ok"
API_KEY = "sk-matrix-secret"
DAY = [("date", ">=", "2020-03-02 00:00:00"), ("date", "<", "2020-03-03 00:00:00")]
ENTRIES = {"entry_a", "entry_b", "entry_a2", "entry_tl"}
# The report rows (one per entry) each actor sees: own figures, plus the led team's, of
# the leads they can read (the team leader's own entry_tl is on lead_c, of another team).
VISIBLE = {
    "operator": {"entry_a", "entry_b"},
    "operator_2": {"entry_a2"},
    "team_leader": {"entry_a", "entry_a2"},
    "manager": ENTRIES,
    "admin": ENTRIES,
}

ROWS = [
    # lead.flow.log: read by whoever reads the lead; created and changed only through the
    # checked methods (log note, undo), never directly; deleted only by the system.
    ("internal", "read", "entry_a", AccessError),
    ("operator", "read", "entry_a", OK),
    ("team_leader", "read", "entry_b", OK),
    ("internal", "create", "entry_a", AccessError),
    ("operator", "create", "entry_a", AccessError),
    ("team_leader", "create", "entry_a", AccessError),
    ("manager", "create", "entry_a", AccessError),
    ("internal", "write", "entry_a", AccessError),
    ("operator", "write", "entry_a", AccessError),
    ("operator_2", "write", "entry_a", AccessError),
    ("team_leader", "write", "entry_a", AccessError),  # only through Undo
    ("team_leader", "write", "entry_b", AccessError),
    ("manager", "write", "entry_b", AccessError),
    ("operator", "unlink", "entry_a", AccessError),
    ("team_leader", "unlink", "entry_a", AccessError),
    ("manager", "unlink", "entry_a", AccessError),
    ("admin", "unlink", "entry_a", OK),
    # lead.flow.log.type: everybody reads, managers edit.
    ("internal", "read", "log_type", OK),
    ("operator", "create", "log_type", AccessError),
    ("team_leader", "create", "log_type", AccessError),
    ("manager", "create", "log_type", OK),
    ("operator", "write", "log_type", AccessError),
    ("team_leader", "write", "log_type", AccessError),
    ("manager", "write", "log_type", OK),
    ("operator", "unlink", "log_type", AccessError),
    ("manager", "unlink", "log_type", OK),
    # lead.flow.note.template: CRM users read, managers edit.
    ("internal", "read", "template", AccessError),
    ("operator", "read", "template", OK),
    ("operator", "create", "template", AccessError),
    ("team_leader", "create", "template", AccessError),
    ("manager", "create", "template", OK),
    ("operator", "write", "template", AccessError),
    ("team_leader", "write", "template", AccessError),
    ("manager", "write", "template", OK),
    ("operator", "unlink", "template", AccessError),
    ("manager", "unlink", "template", OK),
    # lead.flow.report: read-only for everybody, administrators included.
    ("internal", "read", "report", AccessError),
    ("operator", "read", "report", OK),
    ("manager", "create", "report", AccessError),
    ("admin", "create", "report", AccessError),
    ("manager", "write", "report", AccessError),
    ("admin", "write", "report", AccessError),
    ("admin", "unlink", "report", AccessError),
    # crm.lead: a team leader works the leads of the team they lead, not other teams'.
    ("team_leader", "write", "lead_a", OK),
    ("team_leader", "read", "lead_c", AccessError),
    ("team_leader", "write", "lead_c", AccessError),
    # The contract's methods.
    ("internal", "claim_next", None, AccessError),
    ("operator", "claim_next", None, OK),
    ("team_leader", "claim_next", None, OK),
    ("internal", "log_note", "lead_free", AccessError),
    ("operator", "log_note", "lead_free", OK),
    ("team_leader", "log_note", "lead_free", OK),
    ("operator", "log_note", "lead_a", OK),  # the holder
    ("operator_2", "log_note", "lead_a", UserError),
    ("team_leader", "log_note", "lead_a", UserError),  # release first
    ("manager", "log_note", "lead_a", UserError),
    ("internal", "release", "lead_a", AccessError),
    ("operator", "release", "lead_a", OK),
    ("operator_2", "release", "lead_a", UserError),
    ("team_leader", "release", "lead_a", OK),
    ("team_leader", "release", "lead_b", UserError),
    ("operator_2", "release", "lead_b", UserError),  # leads team B, not a Team Leader
    ("manager", "release", "lead_b", OK),
    ("operator", "reassign", "lead_a", AccessError),
    ("team_leader", "reassign", "lead_a", OK),
    ("team_leader", "reassign", "lead_b", UserError),
    ("manager", "reassign", "lead_b", OK),
    ("internal", "undo", "entry_a", AccessError),
    ("operator", "undo", "entry_a", OK),
    ("operator_2", "undo", "entry_a", AccessError),
    ("team_leader", "undo", "entry_a", OK),
    ("team_leader", "undo", "entry_b", AccessError),
    ("operator_2", "undo", "entry_b", AccessError),
    ("manager", "undo", "entry_b", OK),
    # The AI API key: administrators only, as a parameter or as a settings field.
    ("internal", "api_key_param", None, AccessError),
    ("operator", "api_key_param", None, AccessError),
    ("team_leader", "api_key_param", None, AccessError),
    ("manager", "api_key_param", None, AccessError),
    ("admin", "api_key_param", None, OK),
    ("manager", "api_key_setting", None, AccessError),
    ("admin", "api_key_setting", None, OK),
    # Reports: own rows for operators, the led team's too for team leaders, all for managers.
    ("internal", "report_rows", None, AccessError),
    ("operator", "report_rows", None, OK),
    ("operator_2", "report_rows", None, OK),
    ("team_leader", "report_rows", None, OK),
    ("manager", "report_rows", None, OK),
    ("admin", "report_rows", None, OK),
    ("internal", "report_totals", None, AccessError),
    ("operator", "report_totals", None, OK),
    ("team_leader", "report_totals", None, OK),
    ("manager", "report_totals", None, OK),
    ("operator", "daily_totals", None, OK),
    ("team_leader", "daily_totals", None, OK),  # none: they read only some leads
    ("manager", "daily_totals", None, OK),
]

# run() acts as the actor; check(result, before, after) proves the effect; observe() reads
# the state as superuser (None: nothing to observe, e.g. a read).
Case = namedtuple("Case", "run check observe", defaults=(None,))
# Per model: the field read, the values written, the values created (a record key: its id).
SPECS = {
    "lead.flow.log": (
        "body",
        {"body": "Rewritten."},
        {"lead_id": "lead_free", "type_id": "log_type", "body": "New."},
    ),
    "lead.flow.log.type": ("code", {"name": "Renamed"}, {"name": "Telex", "code": "lf_telex"}),
    "lead.flow.note.template": ("name", {"name": "Renamed"}, {"name": "LF Matrix new"}),
    "lead.flow.report": ("outcome", {"outcome": "negative"}, {"outcome": "positive"}),
    "crm.lead": ("name", {"name": "Renamed"}, {}),
}


@tagged("post_install", "-at_install")
class TestAccessMatrix(LeadFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team_leader = new_test_user(
            cls.env,
            "lf_team_leader",
            groups=f"base.group_user,{TEAM_LEADER}",
            name="Tina Team Leader",
        )
        cls.admin = new_test_user(
            cls.env,
            "lf_admin",
            groups=f"base.group_user,base.group_system,{MANAGER},{ALL_LEADS}",
            name="Adam Admin",
        )
        cls.actors = {
            "internal": cls.plain_user,
            "operator": cls.operator,
            "operator_2": cls.operator_2,
            "team_leader": cls.team_leader,
            "manager": cls.manager,
            "admin": cls.admin,
        }
        Team = cls.env["crm.team"]
        cls.team_a = Team.create({"name": "LF Matrix A", "user_id": cls.team_leader.id})
        cls.team_b = Team.create({"name": "LF Matrix B", "user_id": cls.operator_2.id})
        lead_a, lead_b, lead_c, lead_free = cls.env["crm.lead"].create(
            [
                {"name": f"LF Matrix {name}", "type": "lead", "team_id": team.id, "user_id": user}
                for name, team, user in (
                    ("A", cls.team_a, cls.operator.id),
                    ("B", cls.team_b, False),
                    ("C", cls.team_b, cls.operator.id),
                    ("free", cls.team_a, cls.operator.id),
                )
            ]
        )
        Log = cls.env["lead.flow.log"]
        entry_a, entry_b = (
            Log.browse(lead.with_user(cls.operator).lead_flow_log_note(f"Called {lead.name}."))
            for lead in (lead_a, lead_b)
        )
        call = cls.env.ref("lead_flow.log_type_call")
        entry_a2, entry_tl = Log.create(
            [
                {
                    "lead_id": lead.id,
                    "user_id": user.id,
                    "team_id": lead.team_id.id,
                    "type_id": call.id,
                    "body": "Matrix call.",
                    "company_id": cls.env.company.id,
                }
                for lead, user in ((lead_a, cls.operator_2), (lead_c, cls.team_leader))
            ]
        )
        (entry_a | entry_b | entry_a2 | entry_tl).write({"date": "2020-03-02 10:00:00"})
        cls.records = {
            "lead_a": lead_a,
            "lead_b": lead_b,
            "lead_c": lead_c,
            "lead_free": lead_free,
            "entry_a": entry_a,
            "entry_b": entry_b,
            "entry_a2": entry_a2,
            "entry_tl": entry_tl,
            "log_type": cls.env["lead.flow.log.type"].create(
                {"name": "LF Matrix fax", "code": "lf_matrix_fax"}
            ),
            "template": cls.env["lead.flow.note.template"].create(
                {"name": "LF Matrix template", "body": "Matrix."}
            ),
            "report": cls.env["lead.flow.report"].browse(entry_a.id),
        }
        cls.env["ir.config_parameter"].set_param("lead_flow.ai_api_key", API_KEY)

    def setUp(self):
        super().setUp()
        # Like browser tests, run the claim on the test transaction (see lead_flow_claim_next).
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)

    def test_access_matrix(self):
        self.assertEqual(len(ROWS), len(set(ROWS)), "each row once")
        for actor, action, target, expected in ROWS:
            outcome = expected if expected == OK else expected.__name__
            with (
                self.subTest(actor=actor, action=action, target=target, expected=outcome),
                closing(self.env.cr.savepoint()),  # rolled back: every row starts afresh
            ):
                self.check_row(self.actors[actor], action, target, expected)

    def check_row(self, user, action, target, expected):
        case = getattr(self, f"case_{action}")(user, target)
        observe = case.observe or (lambda: None)
        before = observe()
        self.env.invalidate_all()  # a cold cache, as in a request: every read is checked
        if expected == OK:
            result = case.run()
            case.check(result, before, observe())
            return
        try:
            case.run()
        except UserError as error:  # AccessError and ValidationError are UserErrors too
            self.assertIs(type(error), expected, f"wrong refusal: {error}")
        else:
            self.fail(f"{user.login} was allowed to {action} {target or ''}")
        self.assertEqual(observe(), before, "a refused action changes nothing")

    def state(self, read):
        """Observe as superuser what is really stored: pending writes flushed, cache dropped."""
        self.env.invalidate_all()
        return read()

    # ------------------------------------------------------------------
    # Plain CRUD; ``target`` names the record (create: the model of that record)
    # ------------------------------------------------------------------
    def case_read(self, user, target):
        record = self.records[target]
        fname = SPECS[record._name][0]

        def check(result, _before, _after):
            self.assertTrue(result)
            self.assertEqual(result, record[fname])

        return Case(lambda: record.with_user(user).read([fname])[0][fname], check)

    def case_create(self, user, target):
        model = self.env[self.records[target]._name].with_context(active_test=False)
        vals = {
            key: self.records[value].id if value in self.records else value
            for key, value in SPECS[model._name][2].items()
        }

        def check(result, before, after):
            self.assertEqual((after, model.browse(result).create_uid), (before + 1, user))

        return Case(
            lambda: model.with_user(user).create(vals).id,
            check,
            lambda: self.state(lambda: model.search_count([])),
        )

    def case_write(self, user, target):
        record = self.records[target]
        vals = SPECS[record._name][1]

        def check(_result, before, after):
            self.assertEqual((before == vals, after), (False, vals))

        return Case(
            lambda: record.with_user(user).write(vals),
            check,
            lambda: self.state(lambda: {f: record[f] for f in vals}),
        )

    def case_unlink(self, user, target):
        record = self.records[target]
        return Case(
            lambda: record.with_user(user).unlink(),
            lambda _result, before, after: self.assertEqual((before, after), (True, False)),
            lambda: self.state(lambda: bool(record.exists())),
        )

    # ------------------------------------------------------------------
    # The contract's methods
    # ------------------------------------------------------------------
    def reservation(self, lead):
        return self.state(lambda: lead.lead_flow_reserved_user_id)

    def case_claim_next(self, user, _target):
        Lead = self.env["crm.lead"]

        def check(result, before, after):
            self.assertIsInstance(result, int)
            self.assertEqual(Lead.browse(result).lead_flow_reserved_user_id, user)
            self.assertEqual(after, before + 1)

        return Case(
            lambda: Lead.with_user(user).lead_flow_claim_next(),
            check,
            lambda: self.state(
                lambda: Lead.search_count([("lead_flow_reserved_user_id", "=", user.id)])
            ),
        )

    def case_log_note(self, user, target):
        lead = self.records[target]

        def observe():
            entries = self.state(
                lambda: lead.lead_flow_log_ids.filtered(lambda e: e.origin == "manual")
            )
            return sorted(entries.ids), lead.lead_flow_reserved_user_id

        def check(result, before, after):
            self.assertEqual(after, (sorted(before[0] + [result]), user))
            self.assertEqual(self.env["lead.flow.log"].browse(result).user_id, user)

        return Case(lambda: lead.with_user(user).lead_flow_log_note("Matrix note."), check, observe)

    def case_release(self, user, target):
        lead = self.records[target]

        def check(result, before, after):
            self.assertIs(result, True)
            self.assertEqual((before, after), (self.operator, self.env["res.users"]))

        return Case(
            lambda: lead.with_user(user).lead_flow_release(), check, lambda: self.reservation(lead)
        )

    def case_reassign(self, user, target):
        lead = self.records[target]
        Wizard = self.env["lead.flow.reassign.wizard"]
        return Case(
            lambda: (
                Wizard.with_user(user)
                .create({"lead_ids": [lead.id], "user_id": self.operator_2.id})
                .action_reassign()
            ),
            lambda _result, before, after: self.assertEqual(
                (before, after), (self.operator, self.operator_2)
            ),
            lambda: self.reservation(lead),
        )

    def case_undo(self, user, target):
        entry = self.records[target]

        def check(result, before, after):
            self.assertIs(result, True)
            self.assertEqual((before, after), ((False, self.env["res.users"]), (True, user)))

        return Case(
            lambda: entry.with_user(user).action_undo(),
            check,
            lambda: self.state(lambda: (entry.undone, entry.undone_by_id)),
        )

    def is_api_key(self, result, _before, _after):
        self.assertEqual(result, API_KEY)

    def case_api_key_param(self, user, _target):
        Param = self.env["ir.config_parameter"].with_user(user)
        return Case(lambda: Param.get_param("lead_flow.ai_api_key"), self.is_api_key)

    def case_api_key_setting(self, user, _target):
        Settings = self.env["res.config.settings"].with_user(user)
        return Case(lambda: Settings.create({}).lead_flow_ai_api_key, self.is_api_key)

    # ------------------------------------------------------------------
    # Reports: what each actor's rows and totals add up to
    # ------------------------------------------------------------------
    def visible(self, user):
        """The log entries whose report rows ``user`` should see."""
        actor = next(name for name, actor in self.actors.items() if actor == user)
        return self.env["lead.flow.log"].union(*(self.records[name] for name in VISIBLE[actor]))

    def case_report_rows(self, user, _target):
        Report = self.env["lead.flow.report"].with_user(user)
        return Case(
            lambda: set(Report.search(DAY).ids),
            lambda result, _b, _a: self.assertEqual(result, set(self.visible(user).ids)),
        )

    def totals_case(self, model, user):
        Model = self.env[model].with_user(user)

        def run():
            groups = Model._read_group(DAY, ["user_id", "team_id"], ["call_count:sum"])
            return {(op.id, team.id): calls for op, team, calls in groups}

        def check(result, _before, _after):
            expected = {}
            for entry in self.visible(user):
                key = (entry.user_id.id, entry.team_id.id)
                expected[key] = expected.get(key, 0) + 1
            self.assertEqual(result, expected)

        return Case(run, check)

    def case_report_totals(self, user, _target):
        """A whole-day pivot: answered from the daily totals (their own record rules)."""
        return self.totals_case("lead.flow.report", user)

    def case_daily_totals(self, user, _target):
        """Totals have no lead: only users who read every lead of their companies get them
        (the others' pivots read the entries themselves, see case_report_totals)."""
        if user.has_group(ALL_LEADS):
            return self.totals_case("lead.flow.report.daily", user)
        Daily = self.env["lead.flow.report.daily"].with_user(user)
        return Case(
            lambda: Daily._read_group(DAY, ["user_id"], ["call_count:sum"]),
            lambda result, _b, _a: self.assertEqual(result, []),
        )
