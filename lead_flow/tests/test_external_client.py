"""A dialer drives Lead Flow from outside, over a real Odoo HTTP server.

Two client libraries a script would really use: odoorpc (JSON-RPC, from PyPI) and the
standard library's xmlrpc.client. Nothing here calls the ORM on the client side.
"""

import xmlrpc.client

import odoorpc

from odoo.tests import HttpCase, new_test_user, tagged

from .common import ALL_LEADS, OPERATOR


@tagged("post_install", "-at_install")
class TestExternalClient(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = f"base.group_user,{ALL_LEADS},{OPERATOR}"
        # new_test_user sets the password to the login.
        cls.dialer = new_test_user(cls.env, "lf_dialer", groups=groups, name="Dora Dialer")
        cls.other = new_test_user(cls.env, "lf_dialer_2", groups=groups, name="Dino Dialer")
        new_test_user(cls.env, "lf_no_queue", groups="base.group_user", name="Nora Noqueue")
        ICP = cls.env["ir.config_parameter"].sudo()
        ICP.set_param("lead_flow.queue_domain", "[('name', '=like', 'RPC lead %')]")
        Lead = cls.env["crm.lead"]
        cls.first = Lead.create({"name": "RPC lead 1", "priority": "3", "phone": "+1 555 0101"})
        cls.second = Lead.create({"name": "RPC lead 2", "phone": "+1 555 0102"})
        cls.tag = cls.env["crm.tag"].create({"name": "RPC Call back"})
        cls.template = cls.env["lead.flow.note.template"].create(
            {"name": "RPC call back", "body": "Call back", "tag_ids": [(4, cls.tag.id)]}
        )

    def odoorpc_login(self, login):
        client = odoorpc.ODOO("127.0.0.1", port=self.http_port(), timeout=60)
        client.login(self.env.cr.dbname, login, login)
        return client

    def xmlrpc(self, login):
        """(uid, execute_kw) for ``login`` over /xmlrpc/2."""
        base = f"http://127.0.0.1:{self.http_port()}/xmlrpc/2/"
        uid = xmlrpc.client.ServerProxy(base + "common").authenticate(
            self.env.cr.dbname, login, login, {}
        )
        self.assertTrue(uid, f"{login} could not log in over XML-RPC")
        models = xmlrpc.client.ServerProxy(base + "object", allow_none=True)

        def execute_kw(model, method, args, kwargs=None):
            return models.execute_kw(
                self.env.cr.dbname, uid, login, model, method, args, kwargs or {}
            )

        return uid, execute_kw

    def test_dialer_claims_and_logs_a_call_over_json_rpc(self):
        client = self.odoorpc_login("lf_dialer")
        Lead = client.env["crm.lead"]
        lead_id = Lead.lead_flow_claim_next()
        self.assertEqual(lead_id, self.first.id, "the highest-priority never-contacted lead")
        [lead] = Lead.read([lead_id], ["phone", "lead_flow_reserved_user_id"])
        self.assertEqual(lead["phone"], "+1 555 0101")
        self.assertEqual(lead["lead_flow_reserved_user_id"][0], self.dialer.id)

        log_id = client.execute_kw(
            "crm.lead",
            "lead_flow_log_note",
            [[lead_id], "No answer, will call back"],
            {"template_id": self.template.id, "outcome": "partial"},
        )
        self.assertIsInstance(log_id, int)
        self.env.invalidate_all()  # the server wrote through its own environment
        entry = self.env["lead.flow.log"].browse(log_id)
        self.assertEqual(entry.lead_id, self.first)
        self.assertEqual(entry.user_id, self.dialer)
        self.assertEqual(entry.outcome, "partial")
        self.assertIn(self.tag, self.first.tag_ids, "the template's tags reach the lead")
        self.assertEqual(self.first.lead_flow_state, "in_progress")

        # The next claim hands out the other lead, then the queue is empty.
        self.assertEqual(Lead.lead_flow_claim_next(), self.second.id)
        self.assertFalse(Lead.lead_flow_claim_next())

    def test_xml_rpc_refusals_reach_the_client_in_plain_words(self):
        _uid, dialer = self.xmlrpc("lf_dialer")
        lead_id = dialer("crm.lead", "lead_flow_claim_next", [])
        self.assertEqual(lead_id, self.first.id)
        dialer("crm.lead", "lead_flow_log_note", [[lead_id], "Spoke to the buyer"])

        _uid, other = self.xmlrpc("lf_dialer_2")
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            other("crm.lead", "lead_flow_log_note", [[lead_id], "Me too"])
        self.assertIn("Dora Dialer", caught.exception.faultString, "names the holder")
        with self.assertRaises(xmlrpc.client.Fault):
            other("crm.lead", "lead_flow_release", [[lead_id]])
        self.assertEqual(
            len(self.first.lead_flow_log_ids.filtered("body")), 1, "nothing half-written"
        )

        _uid, outsider = self.xmlrpc("lf_no_queue")
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            outsider("crm.lead", "lead_flow_claim_next", [])
        # Odoo's XML-RPC fault code 4 is an AccessError.
        self.assertEqual(caught.exception.faultCode, 4, caught.exception.faultString)
        self.assertIn("Only Lead Flow operators can take leads", caught.exception.faultString)

        self.assertTrue(dialer("crm.lead", "lead_flow_release", [[lead_id]]))
        self.env.invalidate_all()
        self.assertFalse(self.first.lead_flow_reserved_user_id)
