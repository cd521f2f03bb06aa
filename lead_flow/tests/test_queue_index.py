import importlib.util

from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestQueueIndex(LeadFlowCase):
    """Next lead's free-lead index (lead_flow_queue_index) follows every writer of crm_lead,
    and a claim updates the lead in place."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(
            "lead_flow.queue_domain", "[('name', '=like', 'LFI %')]"
        )
        self.registry.enter_test_mode(self.cr)  # claims on the test transaction
        self.addCleanup(self.registry.leave_test_mode)

    def indexed(self, lead):
        """(reserved user id, reserved at is set, last contact is set) or None if absent."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT reserved_user_id, reserved_at IS NOT NULL, last_contact_at IS NOT NULL"
            " FROM lead_flow_queue_index WHERE lead_id = %s",
            [lead.id],
        )
        return self.env.cr.fetchone()

    def test_open_leads_are_indexed_and_follow_orm_writes(self):
        lead = self.env["crm.lead"].create({"name": "LFI one", "user_id": False})
        self.assertEqual(self.indexed(lead), (None, False, False), "a new lead is free")
        self.log_note(self.operator, "Called.", lead=lead)
        self.assertEqual(self.indexed(lead), (self.operator.id, True, True))
        lead.with_user(self.operator).lead_flow_release()
        self.assertEqual(self.indexed(lead), (None, False, True))
        lead.action_set_lost()
        self.assertIsNone(self.indexed(lead), "lost leads leave it")
        lead.active = True
        self.assertEqual(self.indexed(lead), (None, False, True), "restored leads come back")
        self.log_note(self.operator, "Done.", lead=lead, close=True)
        self.assertIsNone(self.indexed(lead), "completed leads leave it")
        lead.lead_flow_state = "in_progress"
        self.assertIsNotNone(self.indexed(lead))
        lead.unlink()
        self.assertIsNone(self.indexed(lead))

    def test_sql_bulk_loads_are_indexed(self):
        self.env.cr.execute(
            "INSERT INTO crm_lead (name, type, active, lead_flow_state, priority, create_date)"
            " VALUES ('LFI bulk', 'lead', true, 'none', '2', now() at time zone 'UTC')"
            " RETURNING id"
        )
        lead = self.env["crm.lead"].browse(self.env.cr.fetchone()[0])
        self.assertEqual(self.indexed(lead), (None, False, False))
        self.assertEqual(
            self.env["crm.lead"].with_user(self.operator).lead_flow_claim_next(), lead.id
        )
        self.assertEqual(self.indexed(lead), (self.operator.id, True, False))

    def test_claim_updates_the_lead_in_place(self):
        # No index of crm_lead may cover the reservation: then PostgreSQL rewrites the row
        # with a new entry in each of its indexes instead of updating it in place (HOT).
        lead = self.env["crm.lead"].create({"name": "LFI hot", "user_id": False})
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'crm_lead'"
            " AND indexdef ~ 'lead_flow_reserved_(user_id|at)'"
        )
        self.assertEqual(self.env.cr.fetchall(), [])
        hot_updates = (
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
            " WHERE relname = 'crm_lead'"
        )
        self.env.cr.execute(hot_updates)
        updates, hot = self.env.cr.fetchone()
        claimed = self.env["crm.lead"].with_user(self.operator).lead_flow_claim_next()
        self.assertEqual(claimed, lead.id)
        self.env.cr.execute(hot_updates)
        self.assertEqual(self.env.cr.fetchone(), (updates + 1, hot + 1))

    def test_reserved_by_me_lists_my_open_reservations(self):
        mine = self.env["crm.lead"].create({"name": "LFI mine", "user_id": False})
        theirs = self.env["crm.lead"].create({"name": "LFI theirs", "user_id": False})
        self.log_note(self.operator, "Mine.", lead=mine)
        self.log_note(self.operator_2, "Theirs.", lead=theirs)
        Lead = self.env["crm.lead"].with_user(self.operator)
        scope = [("name", "=like", "LFI %")]
        self.assertEqual(Lead.search([*scope, ("lead_flow_reserved_by_me", "=", True)]), mine)
        self.assertEqual(Lead.search([*scope, ("lead_flow_reserved_by_me", "!=", True)]), theirs)
        self.assertTrue(mine.with_user(self.operator).lead_flow_reserved_by_me)
        self.assertFalse(theirs.with_user(self.operator).lead_flow_reserved_by_me)
        mine.action_set_lost()
        self.assertFalse(Lead.search([*scope, ("lead_flow_reserved_by_me", "=", True)]))

    def test_cron_repairs_rows_written_behind_the_trigger(self):
        missing = self.env["crm.lead"].create({"name": "LFI missing", "user_id": False})
        stale = self.env["crm.lead"].create({"name": "LFI stale", "user_id": False})
        self.env.flush_all()
        # As after a restore, or writes committed while an upgrade built the table.
        self.env.cr.execute("DELETE FROM lead_flow_queue_index WHERE lead_id = %s", [missing.id])
        self.env.cr.execute(
            "UPDATE lead_flow_queue_index SET reserved_user_id = %s, reserved_at = now()"
            " WHERE lead_id = %s",
            [self.operator.id, stale.id],
        )
        Lead = self.env["crm.lead"].with_user(self.operator)
        mine = Lead.search([("name", "=like", "LFI %"), ("lead_flow_reserved_by_me", "=", True)])
        self.assertFalse(mine, "the lead itself has the last word")
        self.env["crm.lead"]._cron_lead_flow_release_expired()
        self.assertEqual(self.indexed(missing), (None, False, False))
        self.assertEqual(self.indexed(stale), (None, False, False))
        claimed = [Lead.lead_flow_claim_next(), Lead.lead_flow_claim_next()]
        self.assertEqual(sorted(claimed), sorted([missing.id, stale.id]))

    def test_trigger_runs_only_when_a_queue_key_changes(self):
        lead = self.env["crm.lead"].create({"name": "LFI keys", "user_id": False})
        self.env.flush_all()
        # A mark behind the trigger's back shows whether it rewrote the row.
        self.env.cr.execute(
            "UPDATE lead_flow_queue_index SET priority = 'x' WHERE lead_id = %s", [lead.id]
        )
        self.env.cr.execute(
            "UPDATE crm_lead SET priority = priority, name = 'LFI keys 2' WHERE id = %s",
            [lead.id],
        )
        self.env.cr.execute(
            "SELECT priority FROM lead_flow_queue_index WHERE lead_id = %s", [lead.id]
        )
        self.assertEqual(self.env.cr.fetchone()[0], "x", "no queue key changed: not rewritten")
        self.env.cr.execute("UPDATE crm_lead SET priority = '2' WHERE id = %s", [lead.id])
        self.env.cr.execute(
            "SELECT priority FROM lead_flow_queue_index WHERE lead_id = %s", [lead.id]
        )
        self.assertEqual(self.env.cr.fetchone()[0], "2")

    def test_upgrade_frees_leads_completed_while_reserved(self):
        # 18.0.1.1.0: completing a lead ends its reservation, also for older ones.
        path = file_path("lead_flow/migrations/18.0.1.1.0/post-migrate.py")
        spec = importlib.util.spec_from_file_location("lead_flow_post_migrate_1_1", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        done = self.env["crm.lead"].create({"name": "LFI done", "user_id": False})
        working = self.env["crm.lead"].create({"name": "LFI working", "user_id": False})
        (done | working).sudo().write(
            {"lead_flow_reserved_user_id": self.operator.id, "lead_flow_reserved_at": "2026-01-01"}
        )
        done.lead_flow_state = "done"
        self.env.flush_all()
        migration.migrate(self.env.cr, "18.0.1.0.0")
        (done | working).invalidate_recordset()
        self.assertFalse(done.lead_flow_reserved_user_id)
        self.assertEqual(working.lead_flow_reserved_user_id, self.operator)
