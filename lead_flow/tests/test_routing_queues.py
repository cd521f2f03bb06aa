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
