from urllib.parse import quote

from odoo import http
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from .portal import LeadFlowPortal

RETURN_SORTINGS = {
    "date": ("Return date", "date desc, id desc"),
    "state": ("Status", "state, date desc"),
}


class LeadFlowPortalBuyer(LeadFlowPortal):
    """The buyer's returns, appointments and users, and the New lead notification."""

    @http.route(
        ["/my/lead-returns", "/my/lead-returns/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_lead_returns(self, page=1, sortby="date", **kw):
        if not self._lead_flow_buyer():
            return request.not_found()
        sortby = sortby if sortby in RETURN_SORTINGS else "date"
        # Read as the user: a return follows its lead's rules (lead_flow/models/ir_rule.py).
        Return = request.env["lead.flow.return"]
        total = Return.search_count([])
        pager = portal_pager(
            url="/my/lead-returns",
            url_args={"sortby": sortby},
            total=total,
            page=page,
            step=self._items_per_page,
        )
        returns = Return.search(
            [], order=RETURN_SORTINGS[sortby][1], limit=self._items_per_page, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "lead_flow_returns",
                "returns": returns.sudo(),
                "pager": pager,
                "sortby": sortby,
                "searchbar_sortings": {
                    key: {"label": label} for key, (label, _o) in RETURN_SORTINGS.items()
                },
                "default_url": "/my/lead-returns",
            }
        )
        return request.render("lead_flow_portal.portal_my_lead_returns", values)

    @http.route(
        ["/my/appointments", "/my/appointments/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_appointments(self, page=1, **kw):
        buyer = self._lead_flow_buyer()
        if not buyer:
            return request.not_found()
        Event = request.env["calendar.event"].sudo()
        domain = self._lead_flow_appointment_domain(buyer)
        total = Event.search_count(domain)
        pager = portal_pager(
            url="/my/appointments", total=total, page=page, step=self._items_per_page
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "lead_flow_appointments",
                "appointments": Event.search(
                    domain, order="start desc", limit=self._items_per_page, offset=pager["offset"]
                ),
                "pager": pager,
                "default_url": "/my/appointments",
            }
        )
        return request.render("lead_flow_portal.portal_my_appointments", values)

    def _lead_flow_users_back(self, message=None, error=None):
        if error:
            return request.redirect(f"/my/users?error={quote(error)}")
        return request.redirect(f"/my/users?message={quote(message or '')}")

    @http.route("/my/users", type="http", auth="user", website=True)
    def portal_my_users(self, message=None, error=None, **kw):
        buyer = self._lead_flow_buyer()
        if not buyer or not request.env.user.lead_flow_buyer_admin:
            return request.not_found()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "lead_flow_users",
                "buyer": buyer,
                "buyer_users": request.env["res.users"]._lead_flow_buyer_users(buyer),
                "message": message,
                "error": error,
            }
        )
        return request.render("lead_flow_portal.portal_my_users", values)

    def _lead_flow_user_vals(self, post):
        return {
            "lead_flow_buyer_admin": bool(post.get("admin")),
            "lead_flow_view_downline": bool(post.get("view_downline")),
            "lead_flow_new_lead_notify": bool(post.get("notify")),
            "lead_flow_buyer_parent_id": post.get("parent_id") or False,
        }

    def _lead_flow_users_act(self, action, done):
        try:
            with request.env.cr.savepoint():
                action()
        except AccessError:
            return request.not_found()
        except (UserError, ValidationError) as error:
            return self._lead_flow_users_back(error=str(error.args[0]))
        return self._lead_flow_users_back(message=done)

    @http.route("/my/users/new", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_users_new(self, name=None, email=None, **post):
        return self._lead_flow_users_act(
            lambda: request.env["res.users"].lead_flow_buyer_create_user(
                name, email, self._lead_flow_user_vals(post)
            ),
            request.env._("User invited: they receive an e-mail to set their password."),
        )

    @http.route(
        "/my/users/<int:user_id>/update", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_users_update(self, user_id, **post):
        vals = self._lead_flow_user_vals(post)
        vals["active"] = bool(post.get("enabled"))
        return self._lead_flow_users_act(
            lambda: request.env["res.users"].browse(user_id).lead_flow_buyer_update_user(vals),
            request.env._("User updated."),
        )

    @http.route("/my/leads/notify", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_leads_notify(self, notify=None, redirect=None, **kw):
        if not self._lead_flow_buyer():
            return request.not_found()
        # A field of SELF_WRITEABLE_FIELDS: the user writes it on themself.
        request.env.user.write({"lead_flow_new_lead_notify": bool(notify)})
        target = redirect if (redirect or "").startswith("/my") else "/my/security"
        return request.redirect(target)
