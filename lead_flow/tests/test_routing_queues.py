from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_routing import RoutingCase


@tagged("post_install", "-at_install")
class TestQueues(RoutingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leads[3].name = "LFR hot 3"
        cls.leads[4].name = "LFR hot 4"
        cls.hot = cls.env["lead.flow.queue"].create(
            {
                "name": "Hot",
                "sequence": 1,
                "domain": "[('name', 'ilike', 'hot')]",
                "user_ids": [(6, 0, cls.operator.ids)],
            }
        )

    def test_invalid_filter_is_refused_at_save(self):
        with self.assertRaises(ValidationError):
            self.env["lead.flow.queue"].create({"name": "Bad", "domain": "[('nope', '=', 1)]"})
        with self.assertRaises(ValidationError):
            self.hot.domain = "not a domain"
        self.assertEqual(self.hot.domain, "[('name', 'ilike', 'hot')]")

    def test_operators_cannot_edit_queues(self):
        with self.assertRaises(AccessError):
            self.hot.with_user(self.operator).write({"domain": "[]"})
        with self.assertRaises(AccessError):
            self.env["lead.flow.queue"].with_user(self.operator).create({"name": "Mine"})

    def test_queues_are_worked_in_sequence_with_fallback(self):
        first = [self.claim(self.operator) for _i in range(2)]
        self.assertEqual(first, [self.leads[3], self.leads[4]], "the first queue first")
        self.assertEqual(self.claim(self.operator), self.leads[0], "then the default queue")

    def test_someone_outside_the_queue_works_only_the_default_one(self):
        claimed = [self.claim(self.operator_2) for _i in range(3)]
        self.assertEqual(claimed, list(self.leads[:3]), "the default queue, in its order")

    def test_a_queue_I_do_not_work_is_refused(self):
        with self.assertRaises(UserError):
            self.claim(self.operator_2, queue=self.hot)

    def test_team_members_work_their_teams_queue(self):
        team = self.env["crm.team"].create(
            {"name": "LFR team", "member_ids": [(6, 0, self.operator_2.ids)]}
        )
        self.hot.team_ids = team
        self.assertEqual(self.claim(self.operator_2), self.leads[3])

    def test_choosing_a_queue_limits_next_lead_and_the_list(self):
        default = self.env.ref("lead_flow.lead_flow_queue_default")
        default.with_user(self.operator).action_lead_flow_work()
        self.assertEqual(self.operator.lead_flow_queue_id, default)
        listed = self.in_queue_list(self.operator)
        self.assertEqual(listed, self.leads)  # the default queue holds all five
        self.hot.with_user(self.operator).action_lead_flow_work()
        self.assertEqual(self.in_queue_list(self.operator), self.leads[3:])
        self.assertEqual(self.claim(self.operator), self.leads[3])
        self.assertEqual(self.claim(self.operator), self.leads[4])
        self.assertFalse(self.claim(self.operator), "no fallback while one queue is chosen")
        self.assertEqual(self.claim(self.operator, queue=default), self.leads[0])

    def test_working_all_my_queues_again_and_a_queue_I_do_not_work(self):
        self.hot.with_user(self.operator).action_lead_flow_work()
        self.assertTrue(self.hot.with_user(self.operator).is_current)
        self.env["lead.flow.queue"].with_user(self.operator).action_lead_flow_work_all()
        self.assertFalse(self.operator.lead_flow_queue_id)
        self.assertEqual(self.claim(self.operator), self.leads[3], "Hot first again")
        with self.assertRaises(UserError):
            self.hot.with_user(self.operator_2).action_lead_flow_work()
        self.assertFalse(self.operator_2.lead_flow_queue_id)

    def test_newest_first_order(self):
        self.hot.order = "newest"
        self.assertEqual(self.claim(self.operator), self.leads[4])

    def test_an_archived_queue_offers_nothing(self):
        self.hot.active = False
        self.assertEqual(self.claim(self.operator), self.leads[0])

    def test_no_queue_at_all_says_so(self):
        self.env.ref("lead_flow.lead_flow_queue_default").active = False
        with self.assertRaises(UserError):
            self.claim(self.operator_2)


@tagged("post_install", "-at_install")
class TestSkipAndRetryInTheQueue(RoutingCase):
    def test_a_skipped_lead_goes_behind_its_equals_and_not_back_to_its_skipper(self):
        first = self.claim(self.operator)
        self.assertEqual(first, self.leads[0])
        first.with_user(self.operator).lead_flow_skip("Wrong number format, ask a manager")
        # Not contacted, so still among the never-contacted leads, but after them all.
        claimed = [self.claim(self.operator_2) for _i in range(5)]
        self.assertEqual(claimed, [*self.leads[1:], first])
        for lead in claimed:
            self.release(lead)
        # Its skipper does not get it again within the hour.
        mine = [self.claim(self.operator) for _i in range(5)]
        self.assertNotIn(first, mine)
        self.assertFalse(mine[-1], "only the four others for the skipper")
        for lead in mine[:-1]:
            self.release(lead)
        first.sudo().write(
            {"lead_flow_skipped_at": first.lead_flow_skipped_at - timedelta(minutes=61)}
        )
        self.assertIn(first, [self.claim(self.operator) for _i in range(5)])

    def test_a_retry_waits_then_the_lead_comes_back_to_its_operator(self):
        self.env["lead.flow.retry.rule"].create({"outcome": "negative", "retry_hours": 2})
        lead = self.claim(self.operator)
        self.log_note(self.operator, "No answer, try later.", lead=lead, outcome="negative")
        self.assertTrue(lead.lead_flow_retry_at)
        self.assertEqual(lead.lead_flow_reserved_user_id, self.operator, "still theirs")
        claimed = [self.claim(self.operator) for _i in range(5)]
        self.assertEqual(claimed[-1], self.env["crm.lead"], "not before two hours")
        self.assertNotIn(lead, claimed)
        self.assertFalse(self.claim(self.operator_2), "nor to a colleague")
        lead.sudo().write({"lead_flow_retry_at": fields.Datetime.now() - timedelta(minutes=1)})
        self.assertEqual(self.claim(self.operator_2), self.env["crm.lead"])
        self.assertEqual(self.claim(self.operator), lead, "due: back to its operator first")
        self.assertFalse(lead.lead_flow_retry_at, "the retry is used up")
        self.assertNotEqual(self.claim(self.operator), lead)

    def test_a_retry_of_a_free_lead_comes_back_to_anyone(self):
        self.env["lead.flow.retry.rule"].create({"outcome": "negative", "retry_hours": 2})
        lead = self.leads[0]
        self.log_note(self.operator, "No answer.", lead=lead, outcome="negative")
        lead.sudo().write({"lead_flow_reserved_user_id": False, "lead_flow_reserved_at": False})
        self.assertNotIn(lead, [self.claim(self.operator_2) for _i in range(5)])
        for other in self.leads - lead:
            self.release(other)
        lead.sudo().write({"lead_flow_retry_at": fields.Datetime.now() - timedelta(minutes=1)})
        self.assertIn(lead, [self.claim(self.operator_2) for _i in range(5)])
