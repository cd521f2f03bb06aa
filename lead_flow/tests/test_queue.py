from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import OPERATOR, LeadFlowCase


@tagged("post_install", "-at_install")
class TestQueue(LeadFlowCase):
    """Queue order, scope, search, claim and expiry, in one test transaction.

    The concurrent behaviour, with committed transactions, is in test_queue_concurrency.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ICP = cls.env["ir.config_parameter"].sudo()
        # Only this test's leads: the database also holds demo leads.
        ICP.set_param("lead_flow.queue_domain", "[('name', '=like', 'LFQ %')]")
        ICP.set_param("lead_flow.reservation_hours", "24")
        now = fields.Datetime.now()
        Lead = cls.env["crm.lead"]

        def lead(name, **vals):
            return Lead.create({"name": f"LFQ {name}", "type": "lead", "user_id": False, **vals})

        cls.never_low = lead("never low", priority="0", email_from="nina@shop.example")
        cls.never_high = lead("never high", priority="3", phone="+39 02 1234 5678")
        cls.contacted_recent = lead("recent", lead_flow_last_contact_at=now - timedelta(days=1))
        cls.contacted_old = lead("old", lead_flow_last_contact_at=now - timedelta(days=9))
        cls.expired = lead(
            "expired",
            lead_flow_last_contact_at=now - timedelta(days=3),
            lead_flow_reserved_user_id=cls.operator_2.id,
            lead_flow_reserved_at=now - timedelta(hours=30),
        )
        # Out of the queue: completed, won, lost, reserved by someone else.
        cls.done = lead("done", lead_flow_state="done")
        won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        cls.won = lead("won", stage_id=won_stage.id)
        cls.lost = lead("lost", active=False, probability=0)
        cls.taken = lead(
            "taken", lead_flow_reserved_user_id=cls.operator_2.id, lead_flow_reserved_at=now
        )
        cls.queue_order = [
            cls.never_high,
            cls.never_low,
            cls.contacted_old,
            cls.expired,
            cls.contacted_recent,
        ]

    def setUp(self):
        super().setUp()
        # Like browser tests, run the claim on the test transaction (see lead_flow_claim_next).
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)

    def queue(self, user):
        action = self.env.ref("lead_flow.action_lead_flow_queue")
        domain = safe_eval(action.domain)
        return self.env["crm.lead"].with_user(user).search(domain, order=self.queue_list_order())

    def queue_list_order(self):
        arch = etree.fromstring(self.env.ref("lead_flow.crm_lead_view_list_lead_flow_queue").arch)
        return arch.get("default_order")

    def test_queue_lists_never_contacted_first_then_oldest_contact(self):
        self.assertEqual(list(self.queue(self.operator)), self.queue_order)

    def test_order_as_the_web_client_sends_it(self):
        # The web client drops "nulls first" from the list's default_order.
        client_order = "lead_flow_last_contact_at ASC, priority DESC, create_date ASC, id ASC"
        result = (
            self.env["crm.lead"]
            .with_user(self.operator)
            .web_search_read(
                [("lead_flow_in_queue", "=", True)], {"name": {}}, order=client_order, limit=80
            )
        )
        self.assertEqual(
            [r["id"] for r in result["records"]], [lead.id for lead in self.queue_order]
        )

    def test_holder_still_sees_the_lead_others_do_not(self):
        self.assertIn(self.taken, self.queue(self.operator_2))
        self.assertNotIn(self.taken, self.queue(self.operator))

    def test_one_search_box_finds_name_email_and_phone(self):
        arch = etree.fromstring(self.env.ref("lead_flow.crm_lead_view_search_lead_flow_queue").arch)
        filter_domain = arch.find(".//field[@name='name']").get("filter_domain")
        Lead = self.env["crm.lead"].with_user(self.operator)
        scope = [("lead_flow_in_queue", "=", True)]
        for term, expected in (
            ("nina@shop", self.never_low),
            ("1234 5678", self.never_high),
            ("+390212345678", self.never_high),
            ("LFQ old", self.contacted_old),
        ):
            found = Lead.search(scope + safe_eval(filter_domain, {"self": term}))
            self.assertEqual(found, expected, term)

    def test_next_lead_claims_in_queue_order_until_empty(self):
        Lead = self.env["crm.lead"].with_user(self.operator)
        claimed = [Lead.lead_flow_claim_next() for _i in range(len(self.queue_order) + 1)]
        self.assertEqual(claimed, [lead.id for lead in self.queue_order] + [False])
        for lead in self.queue_order:
            self.assertEqual(lead.lead_flow_reserved_user_id, self.operator)
        self.assertEqual(self.taken.lead_flow_reserved_user_id, self.operator_2)

    def test_next_lead_button_opens_the_lead_or_says_queue_empty(self):
        Lead = self.env["crm.lead"].with_user(self.operator)
        action = Lead.action_lead_flow_next()
        self.assertEqual((action["res_model"], action["res_id"]), ("crm.lead", self.never_high.id))
        for _lead in self.queue_order[1:]:
            Lead.lead_flow_claim_next()
        action = Lead.action_lead_flow_next()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["title"], "Queue empty")

    def test_claim_needs_the_operator_role(self):
        with self.assertRaisesRegex(AccessError, "Only Lead Flow operators can take leads"):
            self.env["crm.lead"].with_user(self.salesman).lead_flow_claim_next()
        self.assertFalse(self.never_high.lead_flow_reserved_user_id)

    def test_claim_respects_record_rules(self):
        # An operator limited to their own leads (CRM "own documents only").
        own_only = new_test_user(
            self.env, "lf_own_only", groups=f"base.group_user,{OPERATOR}", name="Ola Own"
        )
        (self.never_high | self.never_low).user_id = self.salesman
        claimed = self.env["crm.lead"].with_user(own_only).lead_flow_claim_next()
        self.assertEqual(claimed, self.contacted_old.id, "leads of other salespeople are skipped")

    def test_queue_scope_from_settings(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "lead_flow.queue_domain", "[('name', '=like', 'LFQ never%')]"
        )
        self.assertEqual(self.queue(self.operator), self.never_high | self.never_low)
        self.assertEqual(
            self.env["crm.lead"].with_user(self.operator).lead_flow_claim_next(), self.never_high.id
        )

    def test_claim_follows_changes_after_its_sql_is_cached(self):
        Lead = self.env["crm.lead"].with_user(self.operator)
        Lead.lead_flow_claim_next()  # compiles and caches the claim for this operator
        self.never_low.lead_flow_reserved_user_id = False
        # A new won stage takes its leads out of the queue at once.
        won = self.env["crm.stage"].create({"name": "LFQ Signed", "is_won": True})
        self.never_low.stage_id = won
        # A narrower scope in Settings applies to the next claim.
        self.env["ir.config_parameter"].sudo().set_param(
            "lead_flow.queue_domain", "[('name', 'in', ['LFQ never low', 'LFQ recent'])]"
        )
        self.assertEqual(Lead.lead_flow_claim_next(), self.contacted_recent.id)
        self.assertFalse(Lead.lead_flow_claim_next())
        # So does a new record rule on leads.
        self.contacted_recent.lead_flow_reserved_user_id = False
        self.env["ir.rule"].create(
            {
                "name": "LFQ no recent",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "domain_force": "[('name', '!=', 'LFQ recent')]",
            }
        )
        self.assertFalse(Lead.lead_flow_claim_next())

    def test_claim_follows_role_and_expiry_changes_after_caching(self):
        ICP = self.env["ir.config_parameter"].sudo()
        Lead = self.env["crm.lead"].with_user(self.operator)
        # Reservations last 48 hours: the one taken 30 hours ago is still held.
        ICP.set_param("lead_flow.reservation_hours", "48")
        claimed = [Lead.lead_flow_claim_next() for _lead in range(5)]  # cached from the first
        expected = [self.never_high, self.never_low, self.contacted_old, self.contacted_recent]
        self.assertEqual(claimed, [lead.id for lead in expected] + [False])
        # Down to 24 hours: it has expired, and the next claim takes it over.
        ICP.set_param("lead_flow.reservation_hours", "24")
        self.assertEqual(Lead.lead_flow_claim_next(), self.expired.id)
        self.assertEqual(self.expired.lead_flow_reserved_user_id, self.operator)
        # Out of the operator role: refused at once, not served from the cache.
        self.expired.sudo().lead_flow_release()
        self.operator.groups_id = [(3, self.env.ref(OPERATOR).id)]
        with self.assertRaisesRegex(AccessError, "Only Lead Flow operators can take leads"):
            Lead.lead_flow_claim_next()
        self.assertFalse(self.expired.lead_flow_reserved_user_id)

    def test_claim_with_a_scope_on_a_computed_field_sees_new_leads(self):
        # phone_sanitized_blacklisted has no column: its search method lists ids when the
        # domain is compiled, so a claim compiled once must not be reused.
        self.env["ir.config_parameter"].sudo().set_param(
            "lead_flow.queue_domain",
            "[('name', '=like', 'LFQ %'), ('phone_sanitized_blacklisted', '=', False)]",
        )
        Lead = self.env["crm.lead"].with_user(self.operator)
        claimed = [Lead.lead_flow_claim_next() for _lead in self.queue_order]
        self.assertEqual(claimed, [lead.id for lead in self.queue_order])
        fresh = self.env["crm.lead"].create({"name": "LFQ fresh", "user_id": False})
        self.assertEqual(Lead.lead_flow_claim_next(), fresh.id)

    def test_claim_with_a_scope_on_a_company_hierarchy_sees_new_contacts(self):
        company = self.env["res.partner"].create({"name": "LFQ Corp", "is_company": True})
        self.env["ir.config_parameter"].sudo().set_param(
            "lead_flow.queue_domain",
            f"[('name', '=like', 'LFQ %'), ('partner_id', 'child_of', {company.id})]",
        )
        Lead = self.env["crm.lead"].with_user(self.operator)
        self.assertFalse(Lead.lead_flow_claim_next())
        contact = self.env["res.partner"].create({"name": "Lia", "parent_id": company.id})
        fresh = self.env["crm.lead"].create(
            {"name": "LFQ at Corp", "partner_id": contact.id, "user_id": False}
        )
        self.assertEqual(Lead.lead_flow_claim_next(), fresh.id)

    def test_invalid_queue_scope_is_refused_in_settings(self):
        admin_env = self.env(user=self.env.ref("base.user_admin"))
        settings = admin_env["res.config.settings"].create(
            {"lead_flow_queue_domain": "[('no_such_field', '=', 1)]"}
        )
        with self.assertRaises(ValidationError) as caught:
            settings.execute()
        self.assertIn("queue scope", str(caught.exception))

    def test_expired_reservation_is_free_and_the_cron_releases_it(self):
        self.log_note(self.operator, "Taking over an expired reservation.", lead=self.expired)
        self.assertEqual(self.expired.lead_flow_reserved_user_id, self.operator)
        self.taken.lead_flow_reserved_at = fields.Datetime.now() - timedelta(hours=25)
        self.env["crm.lead"]._cron_lead_flow_release_expired()
        self.assertFalse(self.taken.lead_flow_reserved_user_id)
        self.assertEqual(self.expired.lead_flow_reserved_user_id, self.operator, "fresh: kept")

    def test_reservations_never_expire_with_zero_hours(self):
        self.env["ir.config_parameter"].sudo().set_param("lead_flow.reservation_hours", "0")
        self.env["crm.lead"]._cron_lead_flow_release_expired()
        self.assertEqual(self.expired.lead_flow_reserved_user_id, self.operator_2)
        with self.assertRaises(UserError):
            self.log_note(self.operator, "Not expired any more.", lead=self.expired)

    def test_managers_reassign_operators_cannot(self):
        with self.assertRaises(UserError):
            self.taken.with_user(self.operator).lead_flow_reassign(self.operator.id)
        with self.assertRaises(UserError):
            self.taken.with_user(self.manager).lead_flow_reassign(self.salesman.id)
        self.taken.with_user(self.manager).lead_flow_reassign(self.operator.id)
        self.assertEqual(self.taken.lead_flow_reserved_user_id, self.operator)
        self.log_note(self.operator, "Reassigned to me.", lead=self.taken)

    def test_admins_choose_extra_queue_columns(self):
        def queue_arch():
            view = self.env.ref("lead_flow.crm_lead_view_list_lead_flow_queue")
            return self.env["crm.lead"].get_views([(view.id, "list")])["views"]["list"]["arch"]

        self.assertNotIn('name="city"', queue_arch())
        admin_env = self.env(user=self.env.ref("base.user_admin"))
        city = self.env["ir.model.fields"]._get("crm.lead", "city")
        admin_env["res.config.settings"].create(
            {"lead_flow_queue_field_ids": [(6, 0, city.ids)]}
        ).execute()
        self.assertIn('name="city"', queue_arch())

    def test_last_note_column_shows_the_latest_note(self):
        self.log_note(self.operator, "First try.", lead=self.never_low)
        self.log_note(self.operator, "Second try, call back Monday.", lead=self.never_low)
        self.never_low.invalidate_recordset(["lead_flow_last_note"])
        self.assertEqual(self.never_low.lead_flow_last_note, "Second try, call back Monday.")
        self.assertFalse(self.never_high.lead_flow_last_note)
