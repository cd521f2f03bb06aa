"""Callbacks coming due while sixteen operators claim, on real committed transactions."""

import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from odoo.tests import tagged

from .common import CommittedEnvCase

PARAMS = ("lead_flow.queue_domain", "lead_flow.reservation_hours", "lead_flow.calling_hours")


@tagged("post_install", "-at_install")
class TestCallbacksUnderLoad(CommittedEnvCase):
    OPERATORS = 16
    LEADS = 500
    SHARED_CALLBACKS = 24
    SECONDS = 5.0

    def setUp(self):
        super().setUp()
        key = uuid.uuid4().hex[:8]
        with self.committed_env() as env:
            ICP = env["ir.config_parameter"]
            self.saved = {name: ICP.get_param(name) for name in PARAMS}
            ICP.set_param("lead_flow.queue_domain", f"[('name', '=like', 'LFRC {key} %')]")
            ICP.set_param("lead_flow.reservation_hours", "24")
            ICP.set_param("lead_flow.calling_hours", "")
            groups = [
                env.ref("base.group_user").id,
                env.ref("lead_flow.group_lead_flow_operator").id,
                env.ref("sales_team.group_sale_salesman_all_leads").id,
            ]
            users = (
                env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    [
                        {
                            "name": f"Routing Operator {i:02d}",
                            "login": f"lfrc_{key}_{i:02d}",
                            "groups_id": [(6, 0, groups)],
                        }
                        for i in range(self.OPERATORS)
                    ]
                )
            )
            total = self.LEADS + self.SHARED_CALLBACKS + self.OPERATORS
            leads = env["crm.lead"].create(
                [{"name": f"LFRC {key} {i:04d}", "type": "lead"} for i in range(total)]
            )
            self.user_ids, self.lead_ids = users.ids, leads.ids
            # Callbacks coming due one after another during the run: shared ones, and one
            # personal callback per operator (its grace period is longer than the run).
            start = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(seconds=1)
            step = (self.SECONDS - 2) / (self.SHARED_CALLBACKS + self.OPERATORS)
            self.callbacks = {}
            for n, lead_id in enumerate(leads.ids[self.LEADS :]):
                personal = n >= self.SHARED_CALLBACKS
                owner = users.ids[n - self.SHARED_CALLBACKS] if personal else None
                due = start + timedelta(seconds=n * step)
                env.cr.execute(
                    "UPDATE crm_lead SET lead_flow_callback_at = %s,"
                    " lead_flow_callback_user_id = %s WHERE id = %s",
                    [due, owner, lead_id],
                )
                self.callbacks[lead_id] = owner
        self.addCleanup(self.remove_committed_data)

    def remove_committed_data(self):
        with self.committed_env() as env:
            env["crm.lead"].with_context(active_test=False).browse(self.lead_ids).unlink()
            env["res.users"].browse(self.user_ids).write({"active": False})
            for name, value in self.saved.items():
                env["ir.config_parameter"].set_param(name, value or False)

    def test_callbacks_come_due_while_sixteen_operators_claim(self):
        claims = []
        errors = []
        barrier = threading.Barrier(self.OPERATORS)
        deadline = time.monotonic() + self.SECONDS + 1

        def operator(uid):
            try:
                barrier.wait()
                while time.monotonic() < deadline:
                    with self.committed_env(uid) as env:
                        claims.append((uid, env["crm.lead"].lead_flow_claim_next()))
                    time.sleep(0.15)
            except Exception as error:  # reported by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=operator, args=(uid,)) for uid in self.user_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertEqual(errors, [])
        claimed = [lead_id for _uid, lead_id in claims if lead_id]
        self.assertEqual(len(claimed), len(set(claimed)), "a lead was claimed twice")
        with self.committed_env() as env:
            env.cr.execute(
                "SELECT id, lead_flow_reserved_user_id, lead_flow_reserved_at,"
                " lead_flow_callback_at FROM crm_lead WHERE id = ANY(%s)",
                [list(self.callbacks)],
            )
            rows = env.cr.fetchall()
        for lead_id, holder, reserved_at, callback_at in rows:
            self.assertTrue(holder, f"callback {lead_id} came due and was not taken")
            self.assertGreaterEqual(reserved_at, callback_at, "taken before it was due")
            owner = self.callbacks[lead_id]
            if owner:
                self.assertEqual(holder, owner, "a personal callback went to a colleague")
        by_lead = {lead_id: uid for uid, lead_id in claims if lead_id}
        self.assertEqual(
            {lead_id: by_lead[lead_id] for lead_id, *_r in rows},
            {lead_id: holder for lead_id, holder, *_r in rows},
        )
