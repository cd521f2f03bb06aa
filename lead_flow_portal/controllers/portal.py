from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.http import request
from odoo.osv import expression

from .dashboard import dashboard_values

# Columns of /my/leads: key -> (label, order). Every column sorts (click its header).
LEAD_COLUMNS = {
    "date": ("Delivered", "lead_flow_delivered_at"),
    "name": ("Lead", "name"),
    "contact": ("Contact", "contact_name"),
    "email": ("E-mail", "email_from"),
    "phone": ("Phone", "phone"),
    "user": ("Assigned to", "lead_flow_buyer_user_id"),
    "status": ("Status", "lead_flow_state"),
}
LIST_FIELDS = [
    "name",
    "contact_name",
    "partner_name",
    "email_from",
    "phone",
    "lead_flow_buyer_user_id",
    "lead_flow_state",
    "lead_flow_delivered_at",
    "tag_ids",
]
LEAD_STATUSES = {
    "all": "All",
    "open": "Open",
    "none": "New",
    "in_progress": "In progress",
    "done": "Completed",
    "return_pending": "Return pending",
    "returned": "Returned",
}


def parse_date(value):
    """A date from an ``<input type="date">`` value, else None."""
    try:
        return fields.Date.to_date(value) if value else None
    except ValueError:
        return None


class LeadFlowPortal(CustomerPortal):
    """Lead buyers under /my: counters of the portal home, the leads list and the
    dashboard. Everything reads as the portal user: the record rules decide the rows."""

    def _lead_flow_buyer(self):
        return request.env.user._lead_flow_buyer()

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        wanted = {
            "lead_flow_lead_count",
            "lead_flow_month_count",
            "lead_flow_return_count",
            "lead_flow_appointment_count",
            "lead_flow_user_count",
        }
        if not wanted & set(counters):
            return values
        buyer = self._lead_flow_buyer()
        if not buyer:
            values.update(dict.fromkeys(wanted & set(counters), 0))
            return values
        Lead = request.env["crm.lead"]
        if "lead_flow_lead_count" in counters:
            values["lead_flow_lead_count"] = Lead.search_count([])
        if "lead_flow_month_count" in counters:
            start = fields.Date.today().replace(day=1)
            values["lead_flow_month_count"] = Lead.search_count(
                [("lead_flow_delivered_at", ">=", datetime.combine(start, time.min))]
            )
        if "lead_flow_return_count" in counters:
            values["lead_flow_return_count"] = request.env["lead.flow.return"].search_count([])
        if "lead_flow_appointment_count" in counters:
            values["lead_flow_appointment_count"] = (
                request.env["calendar.event"]
                .sudo()
                .search_count(self._lead_flow_appointment_domain(buyer))
            )
        if "lead_flow_user_count" in counters:
            values["lead_flow_user_count"] = (
                len(request.env["res.users"]._lead_flow_buyer_users(buyer))
                if request.env.user.lead_flow_buyer_admin
                else 0
            )
        return values

    def _lead_flow_appointment_domain(self, buyer):
        """My appointments; a buyer admin's: those of all the buyer's users."""
        user = request.env.user
        if user.lead_flow_buyer_admin:
            users = request.env["res.users"]._lead_flow_buyer_users(buyer)
            return [("user_id", "in", users.ids)]
        return [("user_id", "=", user.id)]

    def _lead_flow_lead_domain(
        self, search=None, date_begin=None, date_end=None, tag=None, status=None
    ):
        domain = [("lead_flow_buyer_id", "!=", False)]
        if search:
            domain = expression.AND(
                [
                    domain,
                    expression.OR(
                        [
                            [("name", "ilike", search)],
                            [("contact_name", "ilike", search)],
                            [("email_from", "ilike", search)],
                            [("phone", "ilike", search)],
                        ]
                    ),
                ]
            )
        begin, end = parse_date(date_begin), parse_date(date_end)
        if begin:
            domain.append(("lead_flow_delivered_at", ">=", datetime.combine(begin, time.min)))
        if end:
            domain.append(
                ("lead_flow_delivered_at", "<", datetime.combine(end + timedelta(days=1), time.min))
            )
        if tag and str(tag).isdigit():
            domain.append(("tag_ids", "in", [int(tag)]))
        if status in ("none", "in_progress", "done"):
            domain.append(("lead_flow_state", "=", status))
        elif status == "return_pending":
            domain.append(("lead_flow_return_ids.state", "=", "pending"))
        elif status == "returned":
            domain.append(("lead_flow_return_ids.state", "=", "approved"))
        elif status == "open":
            domain.append(
                ("lead_flow_return_ids", "not any", [("state", "in", ["pending", "approved"])])
            )
        return domain

    def _lead_flow_page(self, Lead, domain, sortby, order, offset):
        """One page of the leads list: only the columns it shows are read (crm.lead has
        a hundred columns), in the same query as the search."""
        return Lead.search_fetch(
            domain,
            LIST_FIELDS,
            order=f"{LEAD_COLUMNS[sortby][1]} {order}, id {order}",
            limit=self._items_per_page,
            offset=offset,
        )

    @http.route(["/my/leads", "/my/leads/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_leads(
        self,
        page=1,
        sortby="date",
        order="desc",
        search=None,
        date_begin=None,
        date_end=None,
        tag=None,
        status="all",
        **kw,
    ):
        if not self._lead_flow_buyer():
            return request.not_found()
        sortby = sortby if sortby in LEAD_COLUMNS else "date"
        order = "asc" if order == "asc" else "desc"
        status = status if status in LEAD_STATUSES else "all"
        Lead = request.env["crm.lead"]
        if status == "returned":
            # An approved return marks the lead lost (archived): buyers still find it.
            Lead = Lead.with_context(active_test=False)
        domain = self._lead_flow_lead_domain(search, date_begin, date_end, tag, status)
        url_args = {
            "sortby": sortby,
            "order": order,
            "search": search or "",
            "date_begin": date_begin or "",
            "date_end": date_end or "",
            "tag": tag or "",
            "status": status,
        }
        total = Lead.search_count(domain)
        pager = portal_pager(
            url="/my/leads", url_args=url_args, total=total, page=page, step=self._items_per_page
        )
        leads = self._lead_flow_page(Lead, domain, sortby, order, pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "lead_flow_leads",
                "leads": leads.sudo(),
                "pager": pager,
                "columns": LEAD_COLUMNS,
                "statuses": LEAD_STATUSES,
                "tags": request.env["crm.tag"].search([], order="name"),
                "url_args": url_args,
                "default_url": "/my/leads",
            }
        )
        return request.render("lead_flow_portal.portal_my_leads", values)

    @http.route("/my/leads/dashboard", type="http", auth="user", website=True)
    def portal_my_leads_dashboard(self, **kw):
        buyer = self._lead_flow_buyer()
        if not buyer:
            return request.not_found()
        today = fields.Date.context_today(request.env.user)
        month = today.replace(day=1)
        Event = request.env["calendar.event"].sudo()
        appointment_domain = self._lead_flow_appointment_domain(buyer)
        values = self._prepare_portal_layout_values()
        values.update(
            dashboard_values(
                request.env, month, month - relativedelta(months=1), appointment_domain
            )
        )
        values.update(
            {
                "page_name": "lead_flow_dashboard",
                "upcoming": Event.search(
                    expression.AND([appointment_domain, [("start", ">=", fields.Datetime.now())]]),
                    order="start",
                    limit=5,
                ),
                "recent_leads": request.env["crm.lead"]
                .search_fetch(
                    [("lead_flow_buyer_id", "!=", False)],
                    ["name", "lead_flow_delivered_at"],
                    order="lead_flow_delivered_at desc, id desc",
                    limit=8,
                )
                .sudo(),
            }
        )
        return request.render("lead_flow_portal.portal_my_leads_dashboard", values)
