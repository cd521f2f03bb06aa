"""Concurrency, proven with real committed transactions on several cursors and threads.

Each test commits its own data through fresh cursors (a test transaction is invisible to
other connections) and removes it afterwards.
"""

import threading
import time
import uuid

import psycopg2.errors

from odoo.addons.lead_flow.models import claim_connection
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CommittedEnvCase

PARAMS = ("lead_flow.queue_domain", "lead_flow.reservation_hours", "lead_flow.reserve_group_ids")


@tagged("post_install", "-at_install")
class TestQueueConcurrency(CommittedEnvCase):
    OPERATORS = 16
    CLAIMS_EACH = 25

    def setUp(self):
        super().setUp()
        self.key = uuid.uuid4().hex[:8]
        with self.committed_env() as env:
            ICP = env["ir.config_parameter"]
            self.saved_params = {key: ICP.get_param(key) for key in PARAMS}
            ICP.set_param("lead_flow.queue_domain", f"[('name', '=like', 'LFC {self.key} %')]")
            ICP.set_param("lead_flow.reservation_hours", "24")
            operator_group = env.ref("lead_flow.group_lead_flow_operator")
            ICP.set_param("lead_flow.reserve_group_ids", str(operator_group.id))
            groups = [
                env.ref("base.group_user").id,
                operator_group.id,
                env.ref("sales_team.group_sale_salesman_all_leads").id,
            ]
            users = (
                env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    [
                        {
                            "name": f"Concurrent Operator {i:02d}",
                            "login": f"lfc_{self.key}_{i:02d}",
                            "groups_id": [(6, 0, groups)],
                        }
                        for i in range(self.OPERATORS)
                    ]
                )
            )
            leads = env["crm.lead"].create(
                [
                    {"name": f"LFC {self.key} {i:04d}", "type": "lead", "user_id": False}
                    for i in range(self.OPERATORS * self.CLAIMS_EACH + 40)
                ]
            )
            self.user_ids, self.lead_ids = users.ids, leads.ids
        self.addCleanup(self.remove_committed_data)

    def remove_committed_data(self):
        with self.committed_env() as env:
            env["crm.lead"].with_context(active_test=False).browse(self.lead_ids).unlink()
            env["res.users"].browse(self.user_ids).write({"active": False})
            for key, value in self.saved_params.items():
                env["ir.config_parameter"].set_param(key, value or False)

    @staticmethod
    def retry_on_serialization_failure(env, func, tries=5):
        """What Odoo's RPC layer (odoo.service.model.retrying) does for a request: on a
        serialization failure, roll back and run the request again on a fresh snapshot.
        (retrying() itself reloads the registry, which the test runner keeps locked.)"""
        for attempt in range(tries):
            try:
                result = func()
                env.cr.flush()
                return result
            except psycopg2.errors.SerializationFailure:
                if attempt == tries - 1:
                    raise
                env.cr.rollback()
                env.transaction.clear()
        return None

    def run_threads(self, target, args_list):
        barrier = threading.Barrier(len(args_list))
        errors = []

        def guarded(*args):
            try:
                barrier.wait()
                target(*args)
            except Exception as error:  # reported by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=guarded, args=args) for args in args_list]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse([t for t in threads if t.is_alive()], "a thread hung")
        return errors

    def test_sixteen_operators_never_claim_the_same_lead(self):
        # Through the claim's own connections, with prepared statements (the default).
        self.assert_sixteen_operators_never_claim_the_same_lead()

    def test_sixteen_operators_without_prepared_statements(self):
        # Through Odoo's pooled cursors, as behind a pooler in transaction mode.
        with self.committed_env() as env:
            env["ir.config_parameter"].set_param("lead_flow.claim_prepared", "False")
        self.saved_params.setdefault("lead_flow.claim_prepared", False)
        self.assert_sixteen_operators_never_claim_the_same_lead()

    def test_claim_survives_the_server_closing_its_connection(self):
        uid = self.user_ids[0]
        with self.committed_env(uid) as env:
            first = env["crm.lead"].lead_flow_claim_next()
        # Several idle claim connections, as a busy server keeps.
        with (
            claim_connection.claim_cursor(self.registry.db_name),
            claim_connection.claim_cursor(self.registry.db_name),
        ):
            pass
        # As after a PostgreSQL restart: the claim's idle connections are cut off.
        pattern = f"%-{claim_connection.APPLICATION_SUFFIX}"
        with self.committed_env() as env:
            env.cr.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name LIKE %s",
                [pattern],
            )
            self.assertGreater(env.cr.fetchone()[0], 0, "the claim keeps its connection")
        for _i in range(50):  # termination is asynchronous
            with self.committed_env() as env:
                env.cr.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND application_name LIKE %s",
                    [pattern],
                )
                if not env.cr.fetchone()[0]:
                    break
            time.sleep(0.1)
        with self.committed_env(uid) as env:
            second = env["crm.lead"].lead_flow_claim_next()
        self.assertTrue(second, "the operator gets a lead, not a connection error")
        self.assertNotEqual(second, first)

    def test_next_lead_takes_over_an_expired_reservation(self):
        # Through the claim's own connection: expired reservations are released and the
        # lead claimed in the same statement batch, committed together.
        holder, taker = self.user_ids[:2]
        first = self.lead_ids[0]
        with self.committed_env() as env:
            env.cr.execute(
                "UPDATE crm_lead SET lead_flow_reserved_user_id = %s,"
                " lead_flow_reserved_at = now() at time zone 'UTC' - interval '30 hours'"
                " WHERE id = %s",
                [holder, first],
            )
        with self.committed_env(taker) as env:
            self.assertEqual(env["crm.lead"].lead_flow_claim_next(), first)
        with self.committed_env() as env:
            lead = env["crm.lead"].browse(first)
            self.assertEqual(lead.lead_flow_reserved_user_id.id, taker)

    def assert_sixteen_operators_never_claim_the_same_lead(self):
        claims = []  # list.append is atomic under the GIL

        def operator(uid):
            for _i in range(self.CLAIMS_EACH):
                with self.committed_env(uid) as env:
                    claims.append((uid, env["crm.lead"].lead_flow_claim_next()))

        errors = self.run_threads(operator, [(uid,) for uid in self.user_ids])
        self.assertEqual(errors, [], "no serialization error may reach an operator")
        lead_ids = [lead_id for _uid, lead_id in claims]
        self.assertEqual(len(lead_ids), self.OPERATORS * self.CLAIMS_EACH)
        self.assertNotIn(False, lead_ids, "the queue had enough leads for every claim")
        self.assertEqual(len(set(lead_ids)), len(lead_ids), "a lead was claimed twice")
        with self.committed_env() as env:
            env.cr.execute(
                "SELECT id, lead_flow_reserved_user_id FROM crm_lead WHERE id = ANY(%s)",
                [lead_ids],
            )
            self.assertEqual(dict(env.cr.fetchall()), {lead: uid for uid, lead in claims})

    def test_claims_follow_queue_order_across_operators(self):
        claimed = []

        def operator(uid):
            with self.committed_env(uid) as env:
                claimed.append(env["crm.lead"].lead_flow_claim_next())

        errors = self.run_threads(operator, [(uid,) for uid in self.user_ids])
        self.assertEqual(errors, [])
        # All leads are equal in queue order but for creation: the first 16 go out.
        self.assertEqual(sorted(claimed), self.lead_ids[: self.OPERATORS])

    def test_concurrent_first_notes_exactly_one_wins(self):
        lead_id = self.lead_ids[0]
        outcome = {}

        def first_note(uid):
            with self.committed_env(uid) as env:
                lead = env["crm.lead"].browse(lead_id)

                def work():
                    log_id = lead.lead_flow_log_note(f"First note by {env.user.name}")
                    time.sleep(0.3)  # keep the transaction open so the other one must wait
                    return log_id

                try:
                    outcome[uid] = self.retry_on_serialization_failure(env, work)
                except UserError as error:
                    outcome[uid] = error

        errors = self.run_threads(first_note, [(uid,) for uid in self.user_ids[:2]])
        self.assertEqual(errors, [])
        winners = [uid for uid, result in outcome.items() if isinstance(result, int)]
        losers = [uid for uid, result in outcome.items() if isinstance(result, UserError)]
        self.assertEqual((len(winners), len(losers)), (1, 1), outcome)
        with self.committed_env() as env:
            winner = env["res.users"].browse(winners[0])
            self.assertIn(winner.name, str(outcome[losers[0]]), "the refusal names the holder")
            lead = env["crm.lead"].browse(lead_id)
            self.assertEqual(lead.lead_flow_reserved_user_id, winner)
            self.assertEqual(len(lead.lead_flow_log_ids), 1, "the loser's note is not half-written")
            notes = lead.message_ids.filtered(
                lambda m: m.subtype_id == env.ref("lead_flow.mt_lead_flow_note")
            )
            self.assertEqual(len(notes), 1)
            self.assertIn(winner.name, notes.body)
