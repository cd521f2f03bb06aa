from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.addons.lead_flow.models.crm_lead import MANAGER_GROUP
from odoo.exceptions import AccessError, UserError, ValidationError

ORDER_STATES = [("draft", "Draft"), ("open", "Open"), ("paused", "Paused"), ("closed", "Closed")]
RENEWALS = [("none", "No renewal"), ("on_fill", "When filled"), ("at_end", "At the end date")]
# Each cap with its label, from the shortest period to the longest: a shorter period's cap
# cannot be above a longer one's.
CAPS = (("cap_day", "daily"), ("cap_week", "weekly"), ("cap_month", "monthly"))
# What a buyer admin fills in when requesting an order from the portal (/my/orders/new).
PORTAL_REQUEST_FIELDS = ("quantity", "date_start", "date_end", "cap_day", "cap_week", "cap_month")


def _midnight_utc(tz, day):
    """The start of ``day`` in the time zone ``tz``, as a naive UTC datetime."""
    aware = tz.localize(datetime.combine(day, time.min))
    return aware.astimezone(pytz.utc).replace(tzinfo=None)


class LeadFlowOrder(models.Model):
    """Leads ordered by a lead buyer: how many (or up to which amount), at which price,
    where and of which types, at which pace. Open orders receive new leads
    (crm.lead.lead_flow_distribute); deliveries, returns and invoices keep its figures."""

    _name = "lead.flow.order"
    _description = "Lead order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"

    name = fields.Char(
        "Reference", required=True, copy=False, readonly=True, default="/", index="trigram"
    )
    buyer_id = fields.Many2one(
        "res.partner",
        string="Buyer",
        required=True,
        index=True,
        tracking=True,
        domain=[("lead_flow_is_buyer", "=", True)],
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Account manager",
        default=lambda self: self.env.user if not self.env.user.share else False,
        tracking=True,
        help="Told of return requests over the order's maximum return rate.",
    )
    date_start = fields.Date("Start date", required=True, default=fields.Date.context_today)
    date_end = fields.Date("End date", help="Empty: until the order is filled or closed.")
    state = fields.Selection(
        ORDER_STATES, string="Status", required=True, default="draft", tracking=True, index=True
    )
    renewal = fields.Selection(
        RENEWALS,
        required=True,
        default="none",
        help="When filled: a new order with the same terms opens when this one is filled. "
        "At the end date: a new order for the next period of the same length opens then.",
    )
    auto_charge = fields.Boolean(
        help="Invoiced and posted automatically when filled, at each month's end and at "
        "the end date.",
    )
    quantity = fields.Integer("Leads ordered", tracking=True)
    amount_cap = fields.Monetary(
        "Amount cap", tracking=True, help="Instead of a quantity: leads up to this amount."
    )
    price_unit = fields.Monetary("Price per lead", tracking=True)
    cap_day = fields.Integer("Daily cap", help="Leads per day at most (buyer's time). 0: none.")
    cap_week = fields.Integer("Weekly cap", help="Leads per week (Monday to Sunday) at most.")
    cap_month = fields.Integer("Monthly cap", help="Leads per calendar month at most.")
    max_return_percent = fields.Float(
        "Max return %",
        help="Above this return rate, new return requests on the order's leads go to the "
        "account manager with a warning. 0: no limit.",
    )
    country_ids = fields.Many2many("res.country", string="Countries")
    state_ids = fields.Many2many("res.country.state", string="States")
    zip_prefixes = fields.Char(
        "ZIP prefixes", help="Comma-separated beginnings of the ZIP codes served, e.g. 75, 92."
    )
    tag_ids = fields.Many2many(
        "crm.tag", string="Lead types", help="Only leads with one of these tags. Empty: any."
    )
    previous_order_id = fields.Many2one("lead.flow.order", "Renewal of", readonly=True, copy=False)
    delivery_ids = fields.One2many("lead.flow.delivery", "order_id", string="Deliveries")
    # Counters kept by the distributor and the returns in the same statements as the
    # deliveries they count (crm_lead_distribute.py, lead_flow_return.py): two distributors
    # updating one order conflict on this row, so a cap is never overrun.
    delivered_count = fields.Integer("Delivered", readonly=True, copy=False, default=0)
    returned_count = fields.Integer("Returned", readonly=True, copy=False, default=0)
    remaining_count = fields.Integer("Remaining", compute="_compute_remaining")
    target_count = fields.Integer("Leads to deliver", compute="_compute_remaining")
    amount_total = fields.Monetary("Order total", compute="_compute_remaining")
    amount_delivered = fields.Monetary(
        "Cost", compute="_compute_remaining", help="Leads delivered and not returned."
    )

    def init(self):
        # The distributor's open orders, and the buyer's list in the portal.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS lead_flow_order_open_idx"
            " ON lead_flow_order (id) WHERE state = 'open'"
        )

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    @api.depends("quantity", "amount_cap", "price_unit", "delivered_count", "returned_count")
    def _compute_remaining(self):
        for order in self:
            order.target_count = order._lead_flow_target()
            net = order.delivered_count - order.returned_count
            order.remaining_count = max(order.target_count - net, 0)
            order.amount_total = (
                order.amount_cap if order.amount_cap else order.quantity * order.price_unit
            )
            order.amount_delivered = net * order.price_unit

    def _lead_flow_target(self):
        """How many leads the order is for: its quantity, else what its amount cap buys."""
        self.ensure_one()
        targets = [self.quantity] if self.quantity else []
        if self.amount_cap and self.price_unit:
            targets.append(int(self.amount_cap // self.price_unit))
        return min(targets) if targets else 0

    def _lead_flow_tz(self):
        """The buyer's time zone, in which the caps count days, weeks and months."""
        self.ensure_one()
        name = self.buyer_id.tz or self.company_id.partner_id.tz or "UTC"
        try:
            return pytz.timezone(name)
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _lead_flow_period_starts(self, now):
        """(day, week, month) starts in the buyer's time zone, as naive UTC datetimes."""
        tz = self._lead_flow_tz()
        local = pytz.utc.localize(now).astimezone(tz).date()
        starts = (local, local - timedelta(days=local.weekday()), local.replace(day=1))
        return tuple(_midnight_utc(tz, day) for day in starts)

    def _lead_flow_bounds_utc(self):
        """The order's start and end (exclusive) as naive UTC datetimes, buyer's time."""
        tz = self._lead_flow_tz()
        end = _midnight_utc(tz, self.date_end + timedelta(days=1)) if self.date_end else None
        return _midnight_utc(tz, self.date_start), end

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    @api.constrains("date_start", "date_end")
    def _check_lead_flow_dates(self):
        for order in self:
            if order.date_end and order.date_end < order.date_start:
                raise ValidationError(
                    self.env._(
                        "The order cannot end (%(end)s) before it starts (%(start)s).",
                        end=order.date_end,
                        start=order.date_start,
                    )
                )

    @api.constrains(
        "quantity", "amount_cap", "price_unit", "cap_day", "cap_week", "cap_month",
        "max_return_percent",
    )  # fmt: skip
    def _check_lead_flow_figures(self):
        labels = {
            "quantity": self.env._("The quantity of leads"),
            "amount_cap": self.env._("The amount cap"),
            "price_unit": self.env._("The price per lead"),
            "cap_day": self.env._("The daily cap"),
            "cap_week": self.env._("The weekly cap"),
            "cap_month": self.env._("The monthly cap"),
        }
        for order in self:
            for field, label in labels.items():
                if order[field] < 0:
                    raise ValidationError(
                        self.env._("%(what)s cannot be negative (%(value)s).")
                        % {"what": label, "value": order[field]}
                    )
            if not 0 <= order.max_return_percent <= 100:
                raise ValidationError(self.env._("The maximum return rate is between 0 and 100%."))
            if not order.quantity and not order.amount_cap:
                raise ValidationError(
                    self.env._("Order %s: set how many leads, or up to which amount.", order.name)
                )
            if order.amount_cap and not order.price_unit:
                raise ValidationError(
                    self.env._("An order with an amount cap needs a price per lead.")
                )
            order._check_lead_flow_caps(labels)

    def _check_lead_flow_caps(self, labels):
        """Caps must nest: a day's cap within the week's, the week's within the month's, and
        none above the whole order."""
        caps = [(field, self[field]) for field, _period in CAPS if self[field]]
        target = self._lead_flow_target()
        for index, (field, value) in enumerate(caps):
            for longer, longer_value in caps[index + 1 :]:
                if value > longer_value:
                    raise ValidationError(
                        self.env._(
                            "%(cap)s (%(value)s) cannot be above %(longer)s (%(longer_value)s): "
                            "the caps overlap.",
                            cap=labels[field],
                            value=value,
                            longer=labels[longer].lower(),
                            longer_value=longer_value,
                        )
                    )
            if target and value > target:
                raise ValidationError(
                    self.env._(
                        "%(cap)s (%(value)s) cannot be above the %(target)s leads of the order.",
                        cap=labels[field],
                        value=value,
                        target=target,
                    )
                )

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("lead.flow.order") or "/"
        return super().create(vals_list)

    def _lead_flow_check_manager(self):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only a Lead Flow manager can do this on lead orders."))

    def _lead_flow_check_state(self, allowed, action):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for order in self:
            if order.state not in allowed:
                raise UserError(
                    self.env._(
                        "%(order)s is %(state)s: it cannot be %(action)s.",
                        order=order.name,
                        state=labels[order.state].lower(),
                        action=action,
                    )
                )

    def action_confirm(self):
        """Draft → open: a manager accepts the order (e.g. one a buyer requested)."""
        self._lead_flow_check_manager()
        self._lead_flow_check_state(("draft",), self.env._("confirmed"))
        self.write({"state": "open"})
        return True

    def action_pause(self):
        """Open → paused: no lead is distributed to it until it is resumed."""
        self._lead_flow_check_buyer_or_manager()
        self._lead_flow_check_state(("open", "paused"), self.env._("paused"))
        self.sudo().filtered(lambda order: order.state == "open").write({"state": "paused"})
        return True

    def action_resume(self):
        self._lead_flow_check_buyer_or_manager()
        self._lead_flow_check_state(("paused", "open"), self.env._("resumed"))
        self.sudo().filtered(lambda order: order.state == "paused").write({"state": "open"})
        return True

    def action_close(self):
        """Close by hand: auto-charge orders are invoiced for what is left to bill; no
        renewal (a manager who closes an order ends it)."""
        self._lead_flow_check_manager()
        self._lead_flow_check_state(("draft", "open", "paused"), self.env._("closed"))
        self._lead_flow_close(renew=False)
        return True

    def _lead_flow_check_buyer_or_manager(self):
        """Managers act on any order; a buyer admin on their own buyer's (portal)."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        user = self.env.user
        buyer = user._lead_flow_buyer()
        if not (buyer and user.lead_flow_buyer_admin) or self.sudo().buyer_id != buyer:
            raise AccessError(self.env._("Only your buyer's admins can change its orders."))

    def _lead_flow_close(self, renew=True):
        """Closed orders stop receiving leads; auto-charge ones are billed, and (when filled
        or ended) renewals open their next order."""
        orders = self.sudo()
        orders.write({"state": "closed"})
        orders.filtered("auto_charge")._lead_flow_invoice(post=True)
        if renew:
            for order in orders.filtered(lambda o: o.renewal != "none"):
                order._lead_flow_renew()

    def _lead_flow_renew(self):
        """The next order with the same terms: from today when filled, else for the next
        period of the same length."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        if self.renewal == "at_end" and self.date_end:
            start = self.date_end + timedelta(days=1)
        else:
            start = max(today, self.date_start)
        end = False
        if self.date_end:
            length = self.date_end - self.date_start
            end = start + length
        return self.copy(
            {
                "date_start": start,
                "date_end": end,
                "state": "open",
                "previous_order_id": self.id,
            }
        )

    @api.model
    def _cron_lead_flow_order_periods(self):
        """Daily: close the orders past their end date; bill auto-charge orders at month's
        end (on the 1st, for what was delivered before)."""
        today = fields.Date.context_today(self)
        ended = self.search([("state", "in", ("open", "paused")), ("date_end", "<", today)])
        ended._lead_flow_close()
        if today.day == 1:
            month_start = datetime.combine(today, time.min)
            self.search(
                [("state", "in", ("open", "paused")), ("auto_charge", "=", True)]
            )._lead_flow_invoice(post=True, before=month_start)
        return True

    def _lead_flow_fill_check(self):
        """Orders that reached their quantity are closed (and renewed, and billed)."""
        filled = self.filtered(lambda o: o.state == "open" and not o.remaining_count)
        filled._lead_flow_close()
        return filled

    def _lead_flow_notify_recipients(self):
        """{order id: users} of the buyers' enabled admins who asked for new lead
        notifications, in one search for all these orders."""
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "in", self.sudo().buyer_id.ids),
                    ("share", "=", True),
                    ("lead_flow_buyer_admin", "=", True),
                    ("lead_flow_new_lead_notify", "=", True),
                ]
            )
        )
        by_buyer = users.grouped("commercial_partner_id")
        return {
            order.id: by_buyer[order.buyer_id]
            for order in self.sudo()
            if order.buyer_id in by_buyer
        }

    def _lead_flow_notify_delivered(self, lead_ids_by_order):
        """One e-mail per order and language to its buyer's admins who asked for new lead
        notifications, listing the leads just delivered (queued in the same transaction)."""
        template = self.env.ref(
            "lead_flow_order.mail_template_lead_flow_order_delivered", raise_if_not_found=False
        )
        if not template:
            return
        Lead = self.env["crm.lead"].sudo()
        for order_id, readers in self._lead_flow_notify_recipients().items():
            names = Lead.browse(lead_ids_by_order.get(order_id, [])).mapped("name")
            for lang, users in readers.grouped("lang").items():
                template.with_context(lang=lang, lead_flow_delivered_names=names).send_mail(
                    order_id,
                    email_values={"recipient_ids": [(6, 0, users.partner_id.ids)]},
                    email_layout_xmlid="mail.mail_notification_light",
                )
