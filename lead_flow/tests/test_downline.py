"""View downline: a three-level chain of team leaders and a team outside it.

``top`` leads team T1 (member ``middle``); ``middle`` leads team T2 (member ``bottom``);
``outsider`` is in team T3, led by someone else. All are Lead Flow operators with crm's
"own documents only" right, so only View downline can show them others' leads.
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import OPERATOR, LeadFlowCase


@tagged("post_install", "-at_install")
class TestDownline(LeadFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = f"base.group_user,{OPERATOR}"
        users = {
            name: new_test_user(cls.env, f"lf_down_{name}", groups=groups, name=name.title())
            for name in ("top", "middle", "bottom", "outsider", "other_leader")
        }
        cls.users = users
        Team = cls.env["crm.team"]
        cls.t1 = Team.create(
            {
                "name": "LF T1",
                "user_id": users["top"].id,
                "member_ids": [Command.link(users["middle"].id)],
            }
        )
        cls.t2 = Team.create(
            {
                "name": "LF T2",
                "user_id": users["middle"].id,
                "member_ids": [Command.link(users["bottom"].id)],
            }
        )
        Team.create(
            {
                "name": "LF T3",
                "user_id": users["other_leader"].id,
                "member_ids": [Command.link(users["outsider"].id)],
            }
        )
        cls.leads = {
            name: cls.env["crm.lead"].create(
                {"name": f"LF lead of {name}", "type": "lead", "user_id": users[name].id}
            )
            for name in ("top", "middle", "bottom", "outsider")
        }

    def seen(self, name):
        Lead = self.env["crm.lead"].with_user(self.users[name])
        found = Lead.search([("id", "in", [lead.id for lead in self.leads.values()])])
        return {owner for owner, lead in self.leads.items() if lead in found}

    def test_without_the_option_only_own_leads(self):
        for name in ("top", "middle", "bottom", "outsider"):
            with self.subTest(user=name):
                self.assertEqual(self.seen(name), {name})

    def test_downline_is_transitive_and_stays_in_the_chain(self):
        self.users["top"].lead_flow_view_downline = True
        self.users["middle"].lead_flow_view_downline = True
        self.assertEqual(self.seen("top"), {"top", "middle", "bottom"})
        self.assertEqual(self.seen("middle"), {"middle", "bottom"}, "not up the chain")
        self.assertEqual(self.seen("bottom"), {"bottom"}, "the option alone shows nothing")
        self.assertEqual(self.seen("outsider"), {"outsider"})
        self.users["bottom"].lead_flow_view_downline = True
        self.assertEqual(self.seen("bottom"), {"bottom"}, "leads no team")

    def test_downline_reads_but_does_not_write(self):
        self.users["top"].lead_flow_view_downline = True
        lead = self.leads["bottom"].with_user(self.users["top"])
        self.assertEqual(lead.read(["name"])[0]["name"], "LF lead of bottom")
        with self.assertRaises(AccessError):
            lead.write({"name": "Renamed"})
        # Its history follows the lead.
        entry = self.log_note(self.users["bottom"], "Called.", lead=self.leads["bottom"])
        Log = self.env["lead.flow.log"].with_user(self.users["top"])
        self.assertEqual(Log.search([("id", "=", entry.id)]), entry)
        self.assertFalse(
            self.env["lead.flow.log"]
            .with_user(self.users["outsider"])
            .search([("id", "=", entry.id)])
        )

    def test_changes_of_option_and_teams_apply_at_once(self):
        top = self.users["top"]
        top.lead_flow_view_downline = True
        self.assertEqual(self.seen("top"), {"top", "middle", "bottom"})
        self.t2.member_ids = [Command.unlink(self.users["bottom"].id)]
        self.assertEqual(self.seen("top"), {"top", "middle"})
        self.t1.user_id = self.users["other_leader"]
        self.assertEqual(self.seen("top"), {"top"})
        self.t1.user_id = top
        top.lead_flow_view_downline = False
        self.assertEqual(self.seen("top"), {"top"})

    def test_only_administrators_set_the_option(self):
        with self.assertRaises(AccessError):
            self.users["top"].with_user(self.users["top"]).write({"lead_flow_view_downline": True})
        self.assertFalse(self.users["top"].lead_flow_view_downline)
