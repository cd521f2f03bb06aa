from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import OPERATOR, TEAM_LEADER, LeadFlowCase


@tagged("post_install", "-at_install")
class TestReturn(LeadFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leader = new_test_user(
            cls.env, "lf_ret_leader", groups=f"base.group_user,{TEAM_LEADER}", name="Rita Leader"
        )
        cls.other_leader = new_test_user(
            cls.env, "lf_ret_other", groups=f"base.group_user,{TEAM_LEADER}", name="Otis Leader"
        )
        Team = cls.env["crm.team"]
        cls.team = Team.create(
            {
                "name": "LF Returns team",
                "user_id": cls.leader.id,
                "member_ids": [Command.link(cls.operator.id)],
            }
        )
        Team.create({"name": "LF Other team", "user_id": cls.other_leader.id})
        cls.lead.write({"user_id": cls.operator.id, "team_id": False})
        cls.out_of_area = cls.env.ref("lead_flow.return_reason_out_of_area")
        cls.ICP = cls.env["ir.config_parameter"].sudo()
        cls.ICP.set_param("lead_flow.return_window_days", "0")
        cls.ICP.set_param("lead_flow.return_max_rate", "0")

    def request(self, user=None, lead=None, reason=None, note="Customer lives abroad."):
        lead = (lead or self.lead).with_user(user or self.operator)
        return_id = lead.lead_flow_request_return((reason or self.out_of_area).id, note=note)
        self.assertIsInstance(return_id, int, "the RPC method returns a plain id")
        return self.env["lead.flow.return"].browse(return_id)

    def entries(self, code):
        return self.lead.lead_flow_log_ids.filtered(lambda entry: entry.type_id.code == code)

    def test_request_is_pending_and_in_the_history(self):
        ret = self.request()
        self.assertEqual(
            (ret.state, ret.user_id, ret.reason_id, ret.lead_id),
            ("pending", self.operator, self.out_of_area, self.lead),
        )
        self.assertEqual(self.lead.lead_flow_return_state, "pending")
        entry = self.entries("return_requested")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.user_id, self.operator)
        self.assertIn("Out of area", entry.body)
        self.assertIn("Customer lives abroad.", entry.body)

    def test_bad_requests_are_refused_and_write_nothing(self):
        self.env.cr.flush()  # pending tracking first: the refusal must add nothing
        with self.assertRefused(ValidationError, "why"):
            self.lead.with_user(self.operator).lead_flow_request_return(False)
        first = self.request()
        self.env.cr.flush()  # pending tracking first: the refusal must add nothing
        with self.assertRefused(UserError, "already has a pending return", "Olga Operator"):
            self.request(user=self.operator_2)
        self.assertEqual(self.lead.lead_flow_return_ids, first)

    def test_return_window_in_days(self):
        self.ICP.set_param("lead_flow.return_window_days", "3")
        self.lead.date_open = fields.Datetime.now() - timedelta(days=5)
        self.env.cr.flush()  # pending tracking first: the refusal must add nothing
        with self.assertRefused(UserError, "received 5 days ago", "within 3 days"):
            self.request()
        self.lead.date_open = fields.Datetime.now() - timedelta(days=2)
        self.assertEqual(self.request().state, "pending")

    def test_maximum_return_rate_gives_the_figures(self):
        self.ICP.set_param("lead_flow.return_max_rate", "30")
        received = self.env["crm.lead"].create(
            [{"name": f"LF received {i}", "user_id": self.operator.id} for i in range(4)]
        )
        self.request(lead=received[0])  # 2 of 5 would be 40%
        self.env.cr.flush()  # pending tracking first: the refusal must add nothing
        with self.assertRefused(UserError, "returned 1 of the 5 leads", "40%", "30%"):
            self.request()
        self.ICP.set_param("lead_flow.return_max_rate", "50")
        self.assertEqual(self.request().state, "pending")

    def test_a_manager_approves_the_lead_is_lost_and_freed(self):
        self.log_note(self.operator, "Called: lives abroad.")
        self.assertEqual(self.lead.lead_flow_reserved_user_id, self.operator)
        ret = self.request()
        with self.assertRaises(AccessError):
            ret.with_user(self.operator_2).action_approve()
        with self.assertRaises(AccessError, msg="no approving one's own return"):
            ret.with_user(self.operator).action_approve()
        self.assertIs(ret.with_user(self.manager).action_approve(note="Agreed."), True)
        self.assertEqual((ret.state, ret.decided_by_id), ("approved", self.manager))
        self.assertTrue(ret.decided_at)
        lead = self.lead.with_context(active_test=False)
        self.assertFalse(lead.active, "lost")
        self.assertEqual(lead.lost_reason_id, self.out_of_area.lost_reason_id)
        self.assertFalse(lead.lead_flow_reserved_user_id)
        self.assertEqual(len(self.entries("return_approved")), 1)
        self.assertIn("Agreed.", self.entries("return_approved").body)
        with self.assertRaises(UserError) as caught:
            ret.with_user(self.manager).action_deny()
        self.assertIn("already approved by Marta Manager", str(caught.exception))

    def test_the_requesters_team_leader_decides_not_another(self):
        ret = self.request()
        with self.assertRaises(AccessError):
            ret.with_user(self.other_leader).action_deny()
        self.assertEqual(ret.state, "pending")
        ret.with_user(self.leader).action_deny(note="It is in our area.")
        self.assertEqual((ret.state, ret.decided_by_id), ("denied", self.leader))

    def test_deny_notifies_the_requester_and_keeps_the_lead(self):
        ret = self.request()
        ret.with_user(self.manager).action_deny(note="Call them again.")
        self.assertTrue(self.lead.active)
        self.assertEqual(len(self.entries("return_denied")), 1)
        notified = self.env["mail.notification"].search(
            [
                ("res_partner_id", "=", self.operator.partner_id.id),
                ("mail_message_id.model", "=", "crm.lead"),
                ("mail_message_id.res_id", "=", self.lead.id),
                ("mail_message_id.body", "ilike", "denied your return"),
            ]
        )
        self.assertEqual(len(notified), 1, "in their inbox, or by e-mail if they chose so")
        self.assertIn("Call them again.", notified.mail_message_id.body)
        # Denied: the lead can be returned again later.
        self.assertEqual(
            self.request(reason=self.env.ref("lead_flow.return_reason_bogus")).state, "pending"
        )

    def test_returns_are_only_written_through_the_methods(self):
        ret = self.request()
        Return = self.env["lead.flow.return"]
        for user in (self.operator, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Return.with_user(user).create(
                    {"lead_id": self.lead.id, "user_id": user.id, "reason_id": self.out_of_area.id}
                )
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                ret.with_user(user).write({"state": "approved"})
        self.assertEqual(ret.state, "pending")

    def test_returns_follow_the_lead_visibility(self):
        ret = self.request()
        own_only = new_test_user(self.env, "lf_ret_own", groups=f"base.group_user,{OPERATOR}")
        Return = self.env["lead.flow.return"]
        self.assertFalse(Return.with_user(own_only).search([("id", "=", ret.id)]))
        self.assertEqual(Return.with_user(self.operator).search([("id", "=", ret.id)]), ret)
        with self.assertRaises(AccessError):
            self.lead.with_user(own_only).lead_flow_request_return(self.out_of_area.id)

    def test_return_rate_by_salesperson(self):
        self.env["crm.lead"].create(
            [{"name": f"LF rate {i}", "user_id": self.operator.id} for i in range(3)]
        )
        self.request()  # 1 return of the operator's 4 leads
        rows = (
            self.env["lead.flow.return.report"]
            .with_user(self.manager)
            ._read_group(
                [("user_id", "=", self.operator.id)],
                ["user_id"],
                ["received_count:sum", "returned_count:sum", "return_rate:avg"],
            )
        )
        self.assertEqual(rows, [(self.operator, 4, 1, 25.0)])

    def test_reason_is_mapped_to_a_lost_reason(self):
        reasons = self.env["lead.flow.return.reason"].search([])
        self.assertGreaterEqual(len(reasons), 6)
        self.assertEqual(len(reasons.lost_reason_id), len(reasons), "one lost reason each")

    def test_returns_follow_their_lead_to_another_company(self):
        ret = self.request()
        company_2 = self.env["res.company"].create({"name": "LF Returns Co 2"})
        Return = self.env["lead.flow.return"].with_user(self.operator_2)  # All leads, company 1
        self.assertEqual(Return.search([("id", "=", ret.id)]), ret)
        self.lead.write({"user_id": False, "company_id": company_2.id})
        self.assertEqual(ret.company_id, company_2)
        self.assertFalse(Return.search([("id", "=", ret.id)]), "the lead left their companies")
