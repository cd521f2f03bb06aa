"""Two operators return one lead at the same moment: exactly one pending return, proven
with real committed transactions on two cursors in two threads."""

import threading
import uuid

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CommittedEnvCase


@tagged("post_install", "-at_install")
class TestReturnConcurrency(CommittedEnvCase):
    def setUp(self):
        super().setUp()
        key = uuid.uuid4().hex[:8]
        with self.committed_env() as env:
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
                            "name": f"Returner {i}",
                            "login": f"lfr_{key}_{i}",
                            "groups_id": [(6, 0, groups)],
                        }
                        for i in range(2)
                    ]
                )
            )
            lead = env["crm.lead"].create({"name": f"LFR {key}", "type": "lead"})
            self.user_ids, self.lead_id = users.ids, lead.id
            self.reason_id = env.ref("lead_flow.return_reason_duplicate").id
        self.addCleanup(self.remove_committed_data)

    def remove_committed_data(self):
        with self.committed_env() as env:
            env["crm.lead"].with_context(active_test=False).browse(self.lead_id).unlink()
            env["res.users"].browse(self.user_ids).write({"active": False})

    def test_two_requests_at_once_make_one_pending_return(self):
        barrier = threading.Barrier(2)
        outcomes = []

        def request(uid):
            try:
                with self.committed_env(uid) as env:
                    lead = env["crm.lead"].browse(self.lead_id)
                    lead.check_access("write")  # warm up before meeting the other thread
                    barrier.wait(timeout=10)
                    outcomes.append(("ok", lead.lead_flow_request_return(self.reason_id)))
            except Exception as error:  # the loser's error, whatever layer raises it
                outcomes.append(("refused", type(error).__name__))

        with mute_logger("odoo.sql_db"):
            threads = [threading.Thread(target=request, args=(uid,)) for uid in self.user_ids]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        self.assertEqual(sorted(kind for kind, _value in outcomes), ["ok", "refused"], outcomes)
        with self.committed_env() as env:
            pending = env["lead.flow.return"].search(
                [("lead_id", "=", self.lead_id), ("state", "=", "pending")]
            )
            self.assertEqual(len(pending), 1)
