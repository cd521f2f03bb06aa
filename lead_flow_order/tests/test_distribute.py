from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg2

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LeadOrderCase


@tagged("post_install", "-at_install")
class TestDistribute(LeadOrderCase):
    """Which leads go to which open order, within what limits."""

    def test_leads_go_to_matching_orders_and_are_counted(self):
        order = self.make_order(country_ids=[(6, 0, self.be.ids)], quantity=5)
        leads_be = self.make_leads(3, country=self.be)
        leads_fr = self.make_leads(2, country=self.fr)
        self.assertEqual(self.distribute(), 3)
        self.assertEqual(leads_be.lead_flow_buyer_id, self.buyer_a)
        self.assertEqual(leads_be.lead_flow_order_id, order)
        self.assertTrue(all(leads_be.mapped("lead_flow_delivered_at")))
        self.assertFalse(leads_fr.lead_flow_buyer_id)
        self.assertEqual((order.delivered_count, order.remaining_count), (3, 2))
        self.assertEqual(len(self.deliveries(order)), 3)
        # The buyer's admin now reads them in the portal.
        Lead = self.env["crm.lead"].with_user(self.a_admin)
        self.assertEqual(Lead.search([("id", "in", leads_be.ids)]), leads_be)

    def test_states_zip_prefixes_and_lead_types(self):
        paris = self.env["res.country.state"].create(
            {"name": "LFO Paris", "code": "LFOP", "country_id": self.fr.id}
        )
        order = self.make_order(
            country_ids=[(6, 0, self.fr.ids)], state_ids=[(6, 0, paris.ids)],
            zip_prefixes="75, 92",
        )  # fmt: skip
        good = self.make_leads(1, country=self.fr, state_id=paris.id, zip="75 011")
        wrong_zip = self.make_leads(1, country=self.fr, state_id=paris.id, zip="69001")
        no_state = self.make_leads(1, country=self.fr, zip="92100")
        wrong_type = self.make_leads(
            1, country=self.fr, state_id=paris.id, zip="92100", tags=self.tag_other
        )
        self.distribute(good + wrong_zip + no_state + wrong_type)
        self.assertEqual(good.lead_flow_order_id, order)
        self.assertFalse((wrong_zip + no_state + wrong_type).lead_flow_order_id)

    def test_quantity_fills_and_closes_the_order(self):
        order = self.make_order(quantity=3)
        leads = self.make_leads(5)
        self.assertEqual(self.distribute(), 3)
        self.assertEqual(order.state, "closed")
        self.assertEqual(order.remaining_count, 0)
        self.assertEqual(len(leads.filtered("lead_flow_buyer_id")), 3)
        self.assertEqual(self.distribute(), 0)

    def test_renewal_on_fill_opens_the_next_order(self):
        order = self.make_order(quantity=2, renewal="on_fill")
        self.make_leads(3)
        self.assertEqual(self.distribute(), 2)
        renewal = self.env["lead.flow.order"].search([("previous_order_id", "=", order.id)])
        self.assertEqual(renewal.state, "open")
        self.assertEqual((renewal.quantity, renewal.price_unit), (2, 25.0))
        self.assertEqual(renewal.tag_ids, order.tag_ids)
        # The next run fills the renewal with the lead left.
        self.assertEqual(self.distribute(), 1)
        self.assertEqual(renewal.delivered_count, 1)

    def test_daily_cap_counts_in_the_buyer_time_zone(self):
        self.buyer_a.tz = "Asia/Tokyo"
        order = self.make_order(quantity=10, cap_day=2)
        tokyo = ZoneInfo("Asia/Tokyo")
        today_tokyo = datetime.now(tokyo).date()
        midnight = datetime.combine(today_tokyo, time.min, tzinfo=tokyo)
        midnight_utc = midnight.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
        # One lead reached the buyer a minute before Tokyo's midnight (yesterday for the
        # buyer, whatever the day in UTC), one a minute after (today).
        old = self.make_leads(2)
        self.env["lead.flow.delivery"].create(
            [
                {
                    "lead_id": old[0].id,
                    "buyer_id": self.buyer_a.id,
                    "order_id": order.id,
                    "delivered_at": midnight_utc - timedelta(minutes=1),
                },
                {
                    "lead_id": old[1].id,
                    "buyer_id": self.buyer_a.id,
                    "order_id": order.id,
                    "delivered_at": midnight_utc + timedelta(minutes=1),
                },
            ]
        )
        new = self.make_leads(3)
        self.assertEqual(self.distribute(new), 1)

    def test_weekly_and_monthly_caps(self):
        order = self.make_order(quantity=10, cap_week=3, cap_month=4)
        self.assertEqual(self.distribute(self.make_leads(5)), 3)
        self.assertEqual(order.delivered_count, 3)
        self.assertEqual(self.distribute(self.make_leads(2)), 0)

    def test_amount_cap(self):
        order = self.make_order(quantity=0, amount_cap=60.0, price_unit=25.0)
        self.assertEqual(self.distribute(self.make_leads(4)), 2)
        self.assertEqual(order.state, "closed")

    def test_order_behind_its_pace_is_served_first(self):
        today = fields.Date.today()
        # Same size; the first is half through its month, the second starts today.
        behind = self.make_order(
            quantity=20, date_start=today - timedelta(days=15), date_end=today + timedelta(days=14)
        )
        fresh = self.make_order(
            self.buyer_b, quantity=20, date_start=today, date_end=today + timedelta(days=29)
        )
        self.distribute(self.make_leads(6))
        # ~50% of its time gone: it takes leads until its share delivered catches up with
        # the fresh order's (0% of its time gone).
        self.assertEqual((behind.delivered_count, fresh.delivered_count), (6, 0))

    def test_equal_orders_share_the_leads(self):
        first = self.make_order(self.buyer_a, quantity=10)
        second = self.make_order(self.buyer_b, quantity=10)
        self.distribute(self.make_leads(6))
        self.assertEqual((first.delivered_count, second.delivered_count), (3, 3))

    def test_leads_from_before_the_order_start_are_not_sent(self):
        tomorrow = fields.Date.today() + timedelta(days=1)
        order = self.make_order(date_start=tomorrow)
        self.assertEqual(self.distribute(self.make_leads(2)), 0)
        self.assertFalse(order.delivered_count)

    def test_never_again_to_a_buyer_who_returned_it(self):
        self.make_order(self.buyer_a)
        lead = self.make_leads(1)
        self.distribute(lead)
        ret = lead.with_user(self.a_admin).lead_flow_portal_return(self.reason.id, "Wrong number")
        self.env["lead.flow.return"].browse(ret).with_user(self.manager).action_approve()
        lead.with_user(self.manager).action_lead_flow_redistribute()
        self.assertTrue(lead.active)
        self.assertFalse(lead.lead_flow_buyer_id)
        self.assertEqual(self.distribute(lead), 0)  # buyer A returned it, no other order
        order_b = self.make_order(self.buyer_b)
        self.assertEqual(self.distribute(lead), 1)
        self.assertEqual(lead.lead_flow_order_id, order_b)

    def test_a_lead_with_its_buyer_is_not_redistributed(self):
        self.make_order(self.buyer_a)
        lead = self.make_leads(1)
        self.distribute(lead)
        with self.assertRaisesRegex(UserError, "still with its buyer"):
            lead.with_user(self.manager).action_lead_flow_redistribute()

    def test_buyer_admins_with_notification_get_one_mail_per_run(self):
        self.a_admin.lead_flow_new_lead_notify = True
        order = self.make_order(quantity=5)
        leads = self.make_leads(3)
        Mail = self.env["mail.mail"]
        before = Mail.search([])
        self.distribute(leads)
        mails = Mail.search([]) - before
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.a_admin.partner_id)
        self.assertIn(order.name, mails.subject)
        self.assertIn("3 new leads", mails.subject)
        for lead in leads:
            self.assertIn(lead.name, mails.body_html)

    def test_a_crash_halfway_leaves_nothing_half_done(self):
        """The orders' counters are written after the leads and their delivery rows: a
        failure there must leave every lead undelivered, uncounted and unnotified."""
        self.a_admin.lead_flow_new_lead_notify = True
        order = self.make_order()
        leads = self.make_leads(3)
        self.env.flush_all()
        self.env.cr.execute(
            """CREATE FUNCTION lfo_test_crash() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
               CREATE TRIGGER lfo_test_crash BEFORE UPDATE OF delivered_count
                   ON lead_flow_order FOR EACH ROW EXECUTE FUNCTION lfo_test_crash();"""
        )
        mails_before = self.env["mail.mail"].search_count([])
        with (
            self.assertRaises(psycopg2.errors.RaiseException),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.distribute(leads)
        self.env.invalidate_all()
        self.assertFalse(leads.lead_flow_buyer_id)
        self.assertFalse(self.deliveries(order))
        self.assertEqual(order.delivered_count, 0)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)

    def test_delivery_by_hand_is_recorded(self):
        self.make_order(self.buyer_a)
        lead = self.make_leads(1)
        lead.lead_flow_deliver(self.buyer_b.id)
        self.assertEqual(lead.lead_flow_delivery_ids.buyer_id, self.buyer_b)
        self.assertEqual(self.distribute(lead), 0)  # it has a buyer

    def test_a_lead_an_order_holds_is_not_delivered_by_hand(self):
        order = self.make_order(self.buyer_a)
        lead = self.make_leads(1)
        self.distribute(lead)
        with self.assertRaisesRegex(UserError, order.name):
            lead.lead_flow_deliver(self.buyer_b.id)
        self.assertEqual(lead.lead_flow_buyer_id, self.buyer_a)
        self.assertEqual(lead.lead_flow_delivery_ids.buyer_id, self.buyer_a)

    def test_notices_left_by_a_stopped_run_are_sent_by_the_next(self):
        self.a_admin.lead_flow_new_lead_notify = True
        order = self.make_order(quantity=5)
        leads = self.make_leads(2)
        self.distribute(leads)
        # As if the run had stopped after its batches, before its e-mails.
        self.env.cr.execute(
            "UPDATE lead_flow_delivery SET notify_pending = TRUE WHERE order_id = %s",
            (order.id,),
        )
        Mail = self.env["mail.mail"]
        before = Mail.search([])
        self.assertEqual(self.distribute(), 0)
        mails = Mail.search([]) - before
        self.assertEqual(len(mails), 1)
        self.assertIn("2 new leads", mails.subject)
        self.assertFalse(self.deliveries(order).filtered("notify_pending"))
