"""Team leaders act on their teams' leads only; history and reservations change only
through the methods that check who may change them."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import MANAGER, OPERATOR, TEAM_LEADER, LeadFlowCase


@tagged("post_install", "-at_install")
class TestTeamLeader(LeadFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leader = new_test_user(
            cls.env, "lf_leader", groups=f"base.group_user,{TEAM_LEADER}", name="Lea Leader"
        )
        Team = cls.env["crm.team"]
        cls.team_a = Team.create({"name": "LF Team A", "user_id": cls.leader.id})
        cls.team_b = Team.create({"name": "LF Team B"})
        cls.lead.write({"team_id": cls.team_a.id, "user_id": cls.operator.id})

    def test_undo_follows_the_lead_to_its_new_team(self):
        entry = self.log_note(self.operator, "Called about the offer.")
        self.lead.team_id = self.team_b
        with self.assertRaises(AccessError):
            entry.with_user(self.leader).action_undo()
        self.assertFalse(entry.undone)
        self.lead.team_id = self.team_a
        entry.with_user(self.leader).action_undo()
        self.assertEqual((entry.undone, entry.undone_by_id), (True, self.leader))

    def test_nobody_rewrites_who_did_what(self):
        entry = self.log_note(self.operator, "Called about the offer.")
        for user, vals in (
            (self.operator, {"user_id": self.operator_2.id}),
            (self.operator, {"date": "2020-01-01 00:00:00"}),
            (self.manager, {"lead_id": self.env["crm.lead"].create({"name": "Other"}).id}),
            (self.manager, {"undone": True}),
        ):
            before = entry.read(list(vals))[0]
            with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError) as caught:
                entry.with_user(user).write(vals)
            self.assertIn("cannot be changed", str(caught.exception))
            entry.invalidate_recordset()
            self.assertEqual(entry.read(list(vals))[0], before)

    def test_reassign_only_to_an_operator_who_can_see_the_lead(self):
        self.log_note(self.operator, "Called about the offer.")
        own_only = new_test_user(
            self.env,
            "lf_own_only_op",
            groups=f"base.group_user,{OPERATOR}",
            name="Ola Own",
        )
        before = self.lead_snapshot()
        with self.assertRaises(UserError) as caught:
            self.lead.with_user(self.leader).lead_flow_reassign(own_only.id)
        self.assertIn("Ola Own cannot see", str(caught.exception))
        self.assertEqual(self.lead_snapshot(), before)
        self.lead.with_user(self.leader).lead_flow_reassign(self.operator_2.id)
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator_2)

    def test_reservation_cannot_be_taken_by_editing_the_lead(self):
        self.log_note(self.operator, "Called about the offer.")
        self.env.cr.flush()  # the note's own tracking is posted before the snapshot
        for user in (self.operator_2, self.leader, self.manager):
            before = self.lead_snapshot()
            # The savepoint plays the request: refused, everything it did is rolled back.
            with (
                self.subTest(user=user.login),
                self.assertRaises(AccessError),
                self.env.cr.savepoint(),
            ):
                self.lead.with_user(user).write({"lead_flow_reserved_user_id": user.id})
            self.assertEqual(self.lead_snapshot(), before)
        # Other fields of the lead stay editable as before.
        self.lead.with_user(self.operator_2).write({"description": "Prefers mornings."})

    def test_entries_cannot_be_created_directly_even_in_ones_own_name(self):
        Log = self.env["lead.flow.log"].with_user(self.operator)
        call = self.env.ref("lead_flow.log_type_call")
        base = {"lead_id": self.lead.id, "type_id": call.id, "body": "Called."}
        other_message = self.env["crm.lead"].create({"name": "Other"}).message_post(body="x")
        self.env.cr.flush()  # that message's own automatic entry, before counting
        for forged in (
            {},
            {"user_id": self.operator_2.id},
            {"date": "2020-01-01 00:00:00"},
            {"origin": "automatic"},
            {"undone": True},
            {"message_id": other_message.id},
        ):
            count = self.env["lead.flow.log"].search_count([])
            with self.subTest(forged=forged), self.assertRaises(AccessError):
                Log.create({**base, **forged})
            self.assertEqual(self.env["lead.flow.log"].search_count([]), count)

    def test_undo_by_a_manager_without_the_all_leads_right(self):
        entry = self.log_note(self.operator, "Called about the offer.")
        manager_own_leads = new_test_user(
            self.env,
            "lf_manager_own",
            groups=f"base.group_user,{MANAGER}",
            name="Mona Manager",
        )
        entry.with_user(manager_own_leads).action_undo()
        self.assertEqual(entry.undone_by_id, manager_own_leads)

    def test_reassign_with_several_companies_in_the_switcher(self):
        self.log_note(self.operator, "Called about the offer.")
        company_b = self.env["res.company"].create({"name": "LF Company B"})
        self.leader.company_ids |= company_b
        leader_env = self.leader.with_context(
            allowed_company_ids=[self.env.company.id, company_b.id]
        )
        self.lead.with_user(leader_env).with_context(
            allowed_company_ids=[self.env.company.id, company_b.id]
        ).lead_flow_reassign(self.operator_2.id)
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator_2)
