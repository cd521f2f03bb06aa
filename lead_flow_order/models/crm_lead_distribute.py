import logging
from collections import Counter

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.addons.lead_flow.models.crm_lead import MANAGER_GROUP
from odoo.exceptions import AccessError

from ..lib.allocation import OrderSlot, allocate, parse_zip_prefixes

_logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
# A batch that met a concurrent change (another distributor, an operator's note on one of
# its leads) is rolled back whole and taken again from a fresh snapshot, this many times.
BATCH_RETRIES = 5
# How long the orders' room read for one batch serves the next ones of the same run.
SLOTS_SECONDS = 60
DELIVERED_TEMPLATE = "lead_flow_order.mail_template_lead_flow_order_delivered"


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def lead_flow_distribute(self, ids=None):
        """Deliver undelivered leads (``ids``, else these leads, else all) to the open
        orders they match; return how many were delivered.

        Each batch is one transaction's worth of statements: the orders it serves are
        locked (FOR UPDATE SKIP LOCKED: a second distributor serves the others), its leads
        too, and the deliveries, the orders' counters, the buyers' pending notices and the
        closing of filled orders are written together, so a crash leaves a lead delivered,
        counted and noticed, or untouched. The e-mails, one per order, are queued from the
        pending notices at the end of the run. With ``lead_flow_distribute_commit`` in the
        context (the cron), each batch is committed, and retried from a fresh snapshot on
        a conflict.
        """
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only a Lead Flow manager can distribute leads."))
        lead_ids = sorted({int(i) for i in ids}) if ids else (self.ids or None)
        commit = bool(self.env.context.get("lead_flow_distribute_commit"))
        this = self.sudo()
        self.env.flush_all()  # the statements below read the tables, not the cache
        total, after, slots, basis, retries = 0, None, None, None, 0
        while True:
            try:
                locked = this._lead_flow_lock_open_orders()
                if basis is None or not basis.issuperset(locked):  # new orders to read
                    slots = None
                slots = [slot for slot in slots or () if slot.id in locked]  # closed ones out
                if not this._lead_flow_slots_current(slots, locked):
                    slots, basis = this._lead_flow_open_slots(locked), set(locked)
                if not any(slot.capacity > 0 for slot in slots):
                    break
                count, after_batch = this._lead_flow_distribute_batch(slots, lead_ids, after)
            except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
                if not commit or retries >= BATCH_RETRIES:
                    raise
                retries += 1
                self.env.cr.rollback()
                self.env.invalidate_all()
                slots = None
                continue
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            retries = 0
            total += count
            if after_batch is None:
                break
            after = after_batch
        this._lead_flow_send_notices(commit)
        return total

    def _lead_flow_lock_open_orders(self):
        """Lock the open orders no other distributor holds: {id: leads delivered net}."""
        self.env.cr.execute(
            """SELECT id, COALESCE(delivered_count, 0) - COALESCE(returned_count, 0)
                 FROM lead_flow_order WHERE state = 'open' ORDER BY id FOR UPDATE SKIP LOCKED"""
        )
        return dict(self.env.cr.fetchall())

    def _lead_flow_slots_current(self, slots, locked):
        """Whether the slots of the previous batch, read from the same locked orders, still
        hold: nobody else delivered to or took back from them, and they were computed within
        SLOTS_SECONDS (the caps' day may have turned). Spares reading the orders and their
        period counts again for each batch."""
        if not slots:
            return False
        age = fields.Datetime.now() - slots[0].computed_at
        if age.total_seconds() > SLOTS_SECONDS:
            return False
        return all(locked.get(slot.id) == slot.net for slot in slots)

    def _lead_flow_open_slots(self, order_ids):
        """The open orders ``order_ids`` (locked) running now, with their room left under
        their quantity and every cap (counted in the buyer's time zone)."""
        now = fields.Datetime.now()
        cr = self.env.cr
        Order = self.env["lead.flow.order"].sudo()
        Order.invalidate_model()
        orders = Order.browse(sorted(order_ids))
        running, bounds = Order, {}
        for order in orders:
            start, end = order._lead_flow_bounds_utc()
            if start <= now and (end is None or now < end):
                running |= order
                bounds[order.id] = (start, end)
        periods = {}
        capped = running.filtered(lambda o: o.cap_day or o.cap_week or o.cap_month)
        if capped:
            starts = {order.id: order._lead_flow_period_starts(now) for order in capped}
            ids = list(starts)
            cr.execute(
                """SELECT p.order_id,
                          count(*) FILTER (WHERE d.delivered_at >= p.day_start),
                          count(*) FILTER (WHERE d.delivered_at >= p.week_start),
                          count(*) FILTER (WHERE d.delivered_at >= p.month_start)
                     FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[], %s::timestamp[])
                          AS p(order_id, day_start, week_start, month_start)
                     JOIN lead_flow_delivery d
                       ON d.order_id = p.order_id
                      AND d.delivered_at >= LEAST(p.day_start, p.week_start, p.month_start)
                    GROUP BY p.order_id""",
                (ids, *([starts[i][k] for i in ids] for k in range(3))),
            )
            periods = {row[0]: row[1:] for row in cr.fetchall()}
        slots = []
        for order in running:
            net = order.delivered_count - order.returned_count
            target = order._lead_flow_target()
            rooms = [target - net]
            done = periods.get(order.id, (0, 0, 0))
            for cap, count in zip((order.cap_day, order.cap_week, order.cap_month), done):
                if cap:
                    rooms.append(cap - count)
            start, end = bounds[order.id]
            elapsed = (now - start) / (end - start) if end else 0.0
            slots.append(
                OrderSlot(
                    order.id,
                    order.buyer_id.id,
                    max(min(rooms), 0),
                    net,
                    target,
                    start,
                    min(max(elapsed, 0.0), 1.0),
                    countries=order.country_ids.ids,
                    states=order.state_ids.ids,
                    zips=parse_zip_prefixes(order.zip_prefixes),
                    tags=order.tag_ids.ids,
                    computed_at=now,
                )
            )
        return slots

    def _lead_flow_distribute_batch(self, slots, lead_ids, after):
        """Allocate and write one batch of candidate leads. Returns (delivered, the key to
        start the next batch after, or None when no lead is left)."""
        cr = self.env.cr
        since = min(slot.start for slot in slots)
        after_date, after_id = after or (since, 0)
        cr.execute(
            """SELECT id, country_id, state_id, zip, create_date FROM crm_lead
                WHERE lead_flow_buyer_id IS NULL AND active
                  AND (create_date, id) > (%(after_date)s, %(after_id)s)
                  AND create_date >= %(since)s
                  AND (%(all)s OR id = ANY(%(ids)s))
                ORDER BY create_date, id
                LIMIT %(limit)s
                FOR NO KEY UPDATE SKIP LOCKED""",
            {
                "after_date": after_date,
                "after_id": after_id,
                "since": since,
                "all": lead_ids is None,
                "ids": lead_ids or [],
                "limit": BATCH_SIZE,
            },
        )
        rows = cr.fetchall()
        if not rows:
            return 0, None
        ids = [row[0] for row in rows]
        tags = {}
        if any(slot.tags for slot in slots):
            cr.execute(
                "SELECT lead_id, array_agg(tag_id) FROM crm_tag_rel"
                " WHERE lead_id = ANY(%s) GROUP BY lead_id",
                (ids,),
            )
            tags = dict(cr.fetchall())
        cr.execute(
            "SELECT lead_id, array_agg(buyer_id) FROM lead_flow_delivery"
            " WHERE lead_id = ANY(%s) GROUP BY lead_id",
            (ids,),
        )
        had_lead = {lead_id: set(buyers) for lead_id, buyers in cr.fetchall()}
        leads = [(*row, frozenset(tags.get(row[0], ()))) for row in rows]
        assigned = allocate(slots, leads, had_lead)
        if assigned:
            self._lead_flow_write_deliveries(assigned)
        next_after = (rows[-1][4], rows[-1][0]) if len(rows) == BATCH_SIZE else None
        return len(assigned), next_after

    def _lead_flow_write_deliveries(self, assigned):
        """The leads, their delivery rows and the orders' counters in three statements, then
        the buyers' e-mails and the orders filled.

        ``l.id = ANY(...)`` looks the leads up by their primary key: joined to the unnest
        alone, PostgreSQL merge-joins it with the whole crm_lead primary key index.
        """
        cr = self.env.cr
        now = fields.Datetime.now()
        lead_ids = [lead_id for lead_id, _slot in assigned]
        order_ids = [slot.id for _lead, slot in assigned]
        per_order = Counter(order_ids)
        orders = self.env["lead.flow.order"].sudo().browse(list(per_order))
        notify = orders.browse(list(orders._lead_flow_notify_recipients()))
        buyer_ids = [slot.buyer_id for _lead, slot in assigned]
        cr.execute(
            """WITH v AS (SELECT * FROM unnest(%(leads)s::int[], %(orders)s::int[],
                                               %(buyers)s::int[]) v(lead_id, order_id, buyer_id)),
                    delivered AS (
                        UPDATE crm_lead l
                           SET lead_flow_buyer_id = v.buyer_id, lead_flow_buyer_user_id = NULL,
                               lead_flow_order_id = v.order_id, lead_flow_delivered_at = %(now)s,
                               write_uid = %(uid)s, write_date = %(now)s
                          FROM v WHERE l.id = v.lead_id AND l.id = ANY(%(leads)s)
                        RETURNING l.id, v.order_id, v.buyer_id, l.company_id)
               INSERT INTO lead_flow_delivery
                      (lead_id, order_id, buyer_id, delivered_at, state, company_id,
                       notify_pending, create_uid, create_date, write_uid, write_date)
               SELECT id, order_id, buyer_id, %(now)s, 'delivered', company_id,
                      order_id = ANY(%(notify)s), %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM delivered""",
            {"leads": lead_ids, "orders": order_ids, "buyers": buyer_ids, "now": now,
             "uid": self.env.uid, "notify": notify.ids},
        )  # fmt: skip
        cr.execute(
            """UPDATE lead_flow_order o SET delivered_count = COALESCE(o.delivered_count, 0) + c.n,
                      write_date = %s
                 FROM unnest(%s::int[], %s::int[]) AS c(order_id, n) WHERE o.id = c.order_id""",
            (now, list(per_order), list(per_order.values())),
        )
        self.env["crm.lead"].invalidate_model(
            ["lead_flow_buyer_id", "lead_flow_buyer_user_id", "lead_flow_order_id",
             "lead_flow_delivered_at", "write_uid", "write_date"]
        )  # fmt: skip
        self.env["lead.flow.delivery"].invalidate_model()
        orders.invalidate_recordset()  # the counters and the figures computed from them
        orders._lead_flow_fill_check()

    def _lead_flow_send_notices(self, commit):
        """One e-mail per order for the deliveries whose notice is pending: those of this
        run, and any left by a run that stopped between its last batch and here. Each
        batch wrote its notices with its deliveries; the e-mails are queued (mail.mail)
        in the same transaction that clears the notices."""
        cr = self.env.cr
        try:
            cr.execute(
                """UPDATE lead_flow_delivery SET notify_pending = FALSE
                    WHERE id IN (SELECT id FROM lead_flow_delivery WHERE notify_pending
                                  ORDER BY id FOR UPDATE SKIP LOCKED)
                RETURNING order_id, lead_id"""
            )
            by_order = {}
            for order_id, lead_id in sorted(cr.fetchall()):
                by_order.setdefault(order_id, []).append(lead_id)
            self.env["lead.flow.delivery"].invalidate_model(["notify_pending"])
            orders = self.env["lead.flow.order"].sudo().browse(list(by_order))
            orders._lead_flow_notify_delivered(by_order)
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            if not commit:
                raise
            cr.rollback()  # another distributor sends them, or the next run does
            return
        if commit:
            cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_lead_flow_distribute(self):
        return self.with_context(lead_flow_distribute_commit=True).lead_flow_distribute()
