from urllib.parse import quote

from odoo import http
from odoo.addons.lead_flow_portal.controllers.portal import LeadFlowPortal, parse_date
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import plaintext2html

# Sortings of /my/orders: key -> order of the search.
ORDER_SORTINGS = {
    "date": "date_start desc, id desc",
    "name": "name, id",
    "state": "state, date_start desc, id desc",
}
# What the request form of /my/orders/new posts, kept to show the form again on an error.
REQUEST_INPUTS = ("quantity", "date_start", "date_end", "cap_day", "cap_week", "cap_month", "note")


class LeadFlowPortalOrder(LeadFlowPortal):
    """A buyer admin's lead orders under /my/orders: the list, one order with its leads and
    invoices, pause and resume, and the request of a new order. Everything reads as the
    portal user: the record rules (security/lead_flow_order_security.xml) give a buyer's
    admins their buyer's orders and nobody else any; the changes go through the order's
    checked methods, and a request creates a draft order only for the caller's buyer."""

    def _lead_flow_order_buyer(self):
        """The caller's buyer when the caller is an enabled admin of it, else empty."""
        buyer = self._lead_flow_buyer()
        if buyer and request.env.user.lead_flow_buyer_admin:
            return buyer
        return buyer.browse()

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "lead_flow_order_count" in counters:
            values["lead_flow_order_count"] = (
                request.env["lead.flow.order"].search_count([])
                if self._lead_flow_order_buyer()
                else 0
            )
        return values

    def _lead_flow_order(self, order_id):
        """The order as the portal user once they read it, else None (whether it exists
        or not: the same 404 either way)."""
        if not self._lead_flow_order_buyer():
            return None
        order = request.env["lead.flow.order"].browse(order_id)
        try:
            order = order.exists()
            order.check_access("read")
        except (AccessError, MissingError):
            return None
        return order or None

    def _lead_flow_order_sortings(self):
        return {
            "date": {"label": request.env._("Start date")},
            "name": {"label": request.env._("Reference")},
            "state": {"label": request.env._("Status")},
        }

    @http.route(
        ["/my/orders", "/my/orders/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_lead_orders(self, page=1, sortby="date", **kw):
        if not self._lead_flow_order_buyer():
            return request.not_found()
        sortby = sortby if sortby in ORDER_SORTINGS else "date"
        Order = request.env["lead.flow.order"]
        pager = portal_pager(
            url="/my/orders",
            url_args={"sortby": sortby},
            total=Order.search_count([]),
            page=page,
            step=self._items_per_page,
        )
        orders = Order.search(
            [], order=ORDER_SORTINGS[sortby], limit=self._items_per_page, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "lead_flow_orders",
                "orders": orders,
                "pager": pager,
                "sortby": sortby,
                "searchbar_sortings": self._lead_flow_order_sortings(),
                "default_url": "/my/orders",
            }
        )
        return request.render("lead_flow_order.portal_my_lead_orders", values)

    @http.route(
        ["/my/orders/<int:order_id>", "/my/orders/<int:order_id>/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_lead_order(self, order_id, page=1, message=None, error=None, **kw):
        order = self._lead_flow_order(order_id)
        if not order:
            return request.not_found()
        # The order is the caller's: its deliveries and posted invoices are read as
        # superuser (a returned lead, or an invoice the buyer does not follow, would
        # otherwise drop out of the order's page).
        Delivery = request.env["lead.flow.delivery"].sudo()
        domain = [("order_id", "=", order.id)]
        pager = portal_pager(
            url=f"/my/orders/{order.id}",
            total=Delivery.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        invoices = order.sudo().invoice_ids.filtered(lambda move: move.state == "posted")
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "lead_flow_order",
                "order": order,
                "deliveries": Delivery.search(
                    domain, limit=self._items_per_page, offset=pager["offset"]
                ),
                "delivery_pager": pager,
                "invoices": invoices.sorted(lambda move: (move.invoice_date, move.id), True),
                "buyer": self._lead_flow_order_buyer(),
                "message": message,
                "error": error,
            }
        )
        return request.render("lead_flow_order.portal_my_lead_order", values)

    def _lead_flow_order_back(self, order_id, message=None, error=None):
        url = f"/my/orders/{order_id}"
        if error:
            url += f"?error={quote(error)}"
        elif message:
            url += f"?message={quote(message)}"
        return request.redirect(url)

    def _lead_flow_order_act(self, order_id, method, done):
        """Call ``method`` of the order as the portal user and come back to the order with
        ``done`` or the error; 404 when the order is not the caller's."""
        order = self._lead_flow_order(order_id)
        if not order:
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                getattr(order, method)()
        except AccessError:
            return request.not_found()
        except (UserError, ValidationError) as error:
            return self._lead_flow_order_back(order_id, error=str(error.args[0]))
        return self._lead_flow_order_back(order_id, message=done)

    @http.route(
        "/my/orders/<int:order_id>/pause", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_lead_order_pause(self, order_id, **kw):
        return self._lead_flow_order_act(
            order_id,
            "action_pause",
            request.env._("Order paused: no lead is delivered to it until you resume it."),
        )

    @http.route(
        "/my/orders/<int:order_id>/resume", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_lead_order_resume(self, order_id, **kw):
        return self._lead_flow_order_act(
            order_id, "action_resume", request.env._("Order resumed: leads are delivered again.")
        )

    # ------------------------------------------------------------------
    # A new order, requested by a buyer admin
    # ------------------------------------------------------------------
    def _lead_flow_order_form(self, buyer, form=None, error=None):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "lead_flow_order_new",
                "buyer": buyer,
                "form": form or {},
                "error": error,
            }
        )
        return request.render("lead_flow_order.portal_my_lead_order_new", values)

    def _lead_flow_order_request_vals(self, buyer, form):
        """The draft order's values from the posted form; UserError on bad input (the
        order's own constraints check the caps when it is created)."""
        env = request.env

        def number(name, label, required=False):
            text = (form.get(name) or "").strip()
            if not text and not required:
                return 0
            try:
                value = int(text)
            except ValueError as exc:
                raise UserError(env._("%s must be a whole number.", label)) from exc
            if required and value <= 0:
                raise UserError(env._("%s must be more than 0.", label))
            if value < 0:
                raise UserError(env._("%s cannot be negative.", label))
            return value

        quantity = number("quantity", env._("The quantity of leads"), required=True)
        start = parse_date(form.get("date_start"))
        if not start:
            raise UserError(env._("Set the date the order starts."))
        end = parse_date(form.get("date_end"))
        if form.get("date_end") and not end:
            raise UserError(env._("The end date is not a date."))
        latest = (
            request.env["lead.flow.order"]
            .sudo()
            .search([("buyer_id", "=", buyer.id)], order="id desc", limit=1)
        )
        return {
            "buyer_id": buyer.id,
            "state": "draft",
            "quantity": quantity,
            "date_start": start,
            "date_end": end or False,
            "cap_day": number("cap_day", env._("The daily cap")),
            "cap_week": number("cap_week", env._("The weekly cap")),
            "cap_month": number("cap_month", env._("The monthly cap")),
            "price_unit": latest.price_unit if latest else 0.0,
        }

    @http.route("/my/orders/new", type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_my_lead_order_new(self, **post):
        buyer = self._lead_flow_order_buyer()
        if not buyer:
            return request.not_found()
        if request.httprequest.method != "POST":
            return self._lead_flow_order_form(buyer)
        form = {name: (post.get(name) or "").strip() for name in REQUEST_INPUTS}
        user = request.env.user
        try:
            with request.env.cr.savepoint():
                vals = self._lead_flow_order_request_vals(buyer, form)
                # The caller is an enabled admin of ``buyer``: the order is created for
                # that buyer only, as a draft a Lead Flow manager confirms.
                order = request.env["lead.flow.order"].sudo().create(vals)
                body = plaintext2html(
                    request.env._("Order requested in the portal by %s.", user.name)
                )
                if form["note"]:
                    body += plaintext2html(form["note"])
                order.message_post(
                    body=body,
                    author_id=user.partner_id.id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )
        except (UserError, ValidationError) as error:
            return self._lead_flow_order_form(buyer, form, error=str(error.args[0]))
        return self._lead_flow_order_back(
            order.id,
            message=request.env._(
                "Order %s requested: it starts once the call centre confirms it.", order.name
            ),
        )
