from contextlib import contextmanager

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, new_test_user

OPERATOR = "lead_flow.group_lead_flow_operator"
MANAGER = "lead_flow.group_lead_flow_manager"
TEAM_LEADER = "lead_flow.group_lead_flow_team_leader"
ALL_LEADS = "sales_team.group_sale_salesman_all_leads"
# Calling hours (lib/calling_hours) of a usual call centre: Monday to Friday, 09:00-20:00.
WEEKDAYS_9_TO_20 = (
    '{"0": [9.0, 20.0], "1": [9.0, 20.0], "2": [9.0, 20.0], "3": [9.0, 20.0], "4": [9.0, 20.0]}'
)


def set_calling_hours(env, raw):
    """Set the calling hours of every queue without its own ("" = any time)."""
    env["ir.config_parameter"].sudo().set_param("lead_flow.calling_hours", raw or "")


class LeadFlowCase(TransactionCase):
    """Users, tags, predefined notes and leads shared by the Lead Flow tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.operator = new_test_user(
            cls.env,
            "lf_operator",
            groups=f"base.group_user,{OPERATOR},{ALL_LEADS}",
            name="Olga Operator",
        )
        cls.operator_2 = new_test_user(
            cls.env,
            "lf_operator_2",
            groups=f"base.group_user,{OPERATOR},{ALL_LEADS}",
            name="Otto Operator",
        )
        cls.manager = new_test_user(
            cls.env,
            "lf_manager",
            groups=f"base.group_user,{MANAGER},{ALL_LEADS}",
            name="Marta Manager",
        )
        # A salesperson who sees every lead but is not a Lead Flow operator.
        cls.salesman = new_test_user(
            cls.env, "lf_salesman", groups=f"base.group_user,{ALL_LEADS}", name="Sam Sales"
        )
        cls.plain_user = new_test_user(cls.env, "lf_plain", groups="base.group_user")
        cls.tag_call_back = cls.env["crm.tag"].create({"name": "LF Call back"})
        cls.tag_not_interested = cls.env["crm.tag"].create({"name": "LF Not Interested"})
        Template = cls.env["lead.flow.note.template"]
        cls.tmpl_success = Template.create(
            {
                "name": "LF Successful call",
                "body": "Interested, sending offer.",
                "outcome": "positive",
            }
        )
        cls.tmpl_call_back = Template.create(
            {
                "name": "LF Call back",
                "body": "Busy, call back tomorrow.",
                "tag_ids": [(4, cls.tag_call_back.id)],
                "outcome": "partial",
            }
        )
        cls.tmpl_not_interested = Template.create(
            {
                "name": "LF Not interested",
                "body": "Not interested.",
                "tag_ids": [(4, cls.tag_not_interested.id)],
                "outcome": "negative",
                "closes_lead": True,
            }
        )
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Lead Flow test lead", "type": "lead", "email_from": "anna@example.com"}
        )

    def log_note(self, user, body="Called the customer.", lead=None, **kwargs):
        """Log a note as ``user`` through the public API and return the log entry."""
        lead = lead or self.lead
        log_id = lead.with_user(user).lead_flow_log_note(body, **kwargs)
        self.assertIsInstance(log_id, int, "the RPC method must return a plain id")
        return self.env["lead.flow.log"].browse(log_id)

    def lead_snapshot(self, lead=None):
        """What a user sees of a lead's Lead Flow data, to prove nothing changed."""
        lead = (lead or self.lead).with_env(self.env)
        lead.invalidate_recordset()
        return {
            "logs": self.env["lead.flow.log"].search_count([("lead_id", "=", lead.id)]),
            "messages": len(lead.message_ids),
            "tags": lead.tag_ids.ids,
            "state": lead.lead_flow_state,
            "outcome": lead.lead_flow_outcome,
            "last_contact": lead.lead_flow_last_contact_at,
            "reserved_by": lead.lead_flow_reserved_user_id.id,
        }

    @contextmanager
    def assertRefused(self, exception, *fragments):
        """Expect ``exception`` (rolled back to a savepoint, as a request would be) whose
        message names every fragment, and prove the lead was left untouched."""
        before = self.lead_snapshot()
        with self.assertRaises(exception) as caught:
            yield caught
        message = str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(self.lead_snapshot(), before, "nothing may be half-written")


class CommittedEnvCase(TransactionCase):
    """For concurrency tests: data committed through cursors of their own (a test
    transaction is invisible to other connections)."""

    @contextmanager
    def committed_env(self, uid=SUPERUSER_ID):
        """An environment on its own cursor, committed on exit (like one RPC request)."""
        with self.registry.cursor() as cr:
            # Bind the cursor to the loaded registry: Environment() would otherwise look the
            # registry up by name, which waits on the lock the test runner holds.
            cr.transaction = api.Transaction(self.registry)
            yield api.Environment(cr, uid, {})
