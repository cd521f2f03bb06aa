"""Two distributors at once (two cron workers, or the cron and the button): no cap is
overrun and no lead is delivered twice, proven with real committed transactions on their
own cursors in two threads."""

import threading
import uuid

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID
from odoo.addons.lead_flow.tests.common import CommittedEnvCase
from odoo.tests import tagged
from odoo.tools import mute_logger

LEADS = 120
ROUNDS = 3


@tagged("post_install", "-at_install")
class TestDistributeConcurrency(CommittedEnvCase):
    def setUp(self):
        super().setUp()
        key = uuid.uuid4().hex[:8]
        with self.committed_env() as env:
            tag = env["crm.tag"].create({"name": f"LFO race {key}"})
            buyers = env["res.partner"].create(
                [
                    {"name": f"LFO race buyer {key} {i}", "is_company": True,
                     "lead_flow_is_buyer": True}
                    for i in range(3)
                ]
            )  # fmt: skip
            Order = env["lead.flow.order"]
            orders = Order.create(
                [
                    # Capped per day below what the leads would give it.
                    {"buyer_id": buyers[0].id, "quantity": 100, "cap_day": 17},
                    # Filled by quantity.
                    {"buyer_id": buyers[1].id, "quantity": 23},
                    # By amount: 30 leads.
                    {
                        "buyer_id": buyers[2].id,
                        "quantity": 0,
                        "amount_cap": 300.0,
                        "price_unit": 10.0,
                    },
                ]
            )
            orders.write({"price_unit": 10.0, "tag_ids": [(6, 0, tag.ids)]})
            orders.action_confirm()
            leads = env["crm.lead"].create(
                [
                    {"name": f"LFO race {key} {i}", "tag_ids": [(6, 0, tag.ids)]}
                    for i in range(LEADS)
                ]
            )
            self.ids = {"tag": tag.id, "buyers": buyers.ids, "orders": orders.ids,
                        "leads": leads.ids}  # fmt: skip
        self.addCleanup(self.remove_committed_data)

    def remove_committed_data(self):
        with self.committed_env() as env:
            env["lead.flow.delivery"].search([("lead_id", "in", self.ids["leads"])]).unlink()
            env["crm.lead"].with_context(active_test=False).browse(self.ids["leads"]).unlink()
            orders = env["lead.flow.order"].search([("buyer_id", "in", self.ids["buyers"])])
            orders.invoice_ids.button_draft()
            orders.invoice_ids.unlink()
            orders.unlink()
            env["mail.mail"].search([("model", "=", "lead.flow.order"),
                                     ("res_id", "in", orders.ids)]).unlink()  # fmt: skip
            env["res.partner"].browse(self.ids["buyers"]).write({"active": False})
            env["crm.tag"].browse(self.ids["tag"]).unlink()

    def run_distributors(self, commit):
        """Two threads distribute all leads at the same moment, each retrying a
        serialization conflict as Odoo retries an RPC; returns what each delivered."""
        barrier = threading.Barrier(2)
        delivered, conflicts, errors = [], [], []

        def distribute():
            try:
                barrier.wait(timeout=10)
                for _attempt in range(10):
                    try:
                        with self.committed_env(SUPERUSER_ID) as env:
                            Lead = env["crm.lead"].with_context(lead_flow_distribute_commit=commit)
                            delivered.append(Lead.lead_flow_distribute(self.ids["leads"]))
                        return
                    except pg_errors.SerializationFailure:
                        conflicts.append(1)
            except Exception as error:  # reported below, with the thread's error
                errors.append(repr(error))

        with mute_logger("odoo.sql_db"):
            threads = [threading.Thread(target=distribute) for _i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        self.assertFalse(errors)
        return delivered, conflicts

    def check_invariants(self):
        with self.committed_env() as env:
            cr = env.cr
            cr.execute(
                "SELECT lead_id FROM lead_flow_delivery WHERE lead_id = ANY(%s)"
                " GROUP BY lead_id HAVING count(*) > 1",
                (self.ids["leads"],),
            )
            self.assertEqual(cr.fetchall(), [], "a lead delivered twice")
            orders = env["lead.flow.order"].browse(self.ids["orders"])
            for order in orders:
                rows = env["lead.flow.delivery"].search_count([("order_id", "=", order.id)])
                self.assertEqual(order.delivered_count, rows, order.name)
                self.assertLessEqual(rows, order.target_count, order.name)
                if order.cap_day:
                    self.assertLessEqual(rows, order.cap_day, order.name)
            cr.execute(
                "SELECT count(*) FROM crm_lead l JOIN lead_flow_delivery d ON d.lead_id = l.id"
                " WHERE l.id = ANY(%s) AND (l.lead_flow_buyer_id != d.buyer_id"
                " OR l.lead_flow_order_id != d.order_id)",
                (self.ids["leads"],),
            )
            self.assertEqual(cr.fetchone()[0], 0, "a lead's buyer differs from its delivery")
            return sum(order.delivered_count for order in orders)

    def test_two_distributors_in_one_transaction_each(self):
        for _round in range(ROUNDS):
            self.run_distributors(commit=False)
        total = self.check_invariants()
        # Every order is full: 17 (day cap) + 23 + 30, whoever delivered what.
        self.assertEqual(total, 17 + 23 + 30)

    def test_two_cron_distributors_committing_per_batch(self):
        for _round in range(ROUNDS):
            self.run_distributors(commit=True)
        self.assertEqual(self.check_invariants(), 17 + 23 + 30)
