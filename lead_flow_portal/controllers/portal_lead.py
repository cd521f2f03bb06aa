from datetime import timedelta
from urllib.parse import quote

import pytz

from odoo import fields, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import content_disposition, request

SHEET_REPORT = "lead_flow.action_report_lead_sheet"


class LeadFlowPortalLead(CustomerPortal):
    """One lead of a buyer (/my/leads/<id>) and what the buyer does on it. Every route
    answers 404 for a lead the user does not read, whether it exists or not; every
    change goes through a checked method of crm.lead (models/crm_lead_portal.py)."""

    def _lead_flow_lead(self, lead_id):
        """The lead as superuser once the caller's access is checked, else None."""
        lead = request.env["crm.lead"].with_context(active_test=False).browse(lead_id)
        try:
            return lead.exists()._lead_flow_portal_check()
        except (AccessError, MissingError, ValueError):
            return None

    def _lead_flow_back(self, lead_id, message=None, error=None, anchor=""):
        url = f"/my/leads/{lead_id}"
        if error:
            url += f"?error={quote(error)}"
        elif message:
            url += f"?message={quote(message)}"
        return request.redirect(url + anchor)

    def _lead_flow_act(self, lead_id, action, done, anchor=""):
        """Run ``action`` (as the portal user) and come back to the lead with ``done`` or
        the error; 404 when the lead is not the user's."""
        if not self._lead_flow_lead(lead_id):
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                action(request.env["crm.lead"].with_context(active_test=False).browse(lead_id))
        except AccessError:
            return request.not_found()
        except (UserError, ValidationError) as error:
            return self._lead_flow_back(lead_id, error=str(error.args[0]), anchor=anchor)
        return self._lead_flow_back(lead_id, message=done, anchor=anchor)

    @http.route("/my/leads/<int:lead_id>", type="http", auth="user", website=True)
    def portal_my_lead(self, lead_id, message=None, error=None, **kw):
        lead = self._lead_flow_lead(lead_id)
        if not lead:
            return request.not_found()
        user = request.env.user
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "lead_flow_lead",
                "lead": lead,
                "history": request.env["crm.lead"].browse(lead_id)._lead_flow_portal_history(),
                "attachments": lead._lead_flow_portal_attachments(),
                "appointments": lead._lead_flow_portal_appointments(),
                "returns": lead.lead_flow_return_ids,
                "reasons": request.env["lead.flow.return.reason"].search([]),
                "buyer_users": request.env["res.users"]
                ._lead_flow_buyer_users(lead.lead_flow_buyer_id)
                .filtered("active"),
                "is_admin": user.lead_flow_buyer_admin,
                "message": message,
                "error": error,
                "now": fields.Datetime.context_timestamp(user, fields.Datetime.now()),
            }
        )
        return request.render("lead_flow_portal.portal_my_lead", values)

    @http.route("/my/leads/<int:lead_id>/pdf", type="http", auth="user", website=True)
    def portal_my_lead_pdf(self, lead_id, download=False, **kw):
        lead = self._lead_flow_lead(lead_id)
        if not lead:
            return request.not_found()
        # Rendered as superuser (the buyer reads no team or user): the lead sheet keeps
        # the history entries visible to buyers (models/lead_sheet_report.py).
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            .with_context(lead_flow_portal_buyer_id=lead.lead_flow_buyer_id.id)
            ._render_qweb_pdf(SHEET_REPORT, lead.ids)
        )
        filename = f"Lead sheet - {lead.name or lead.id}.pdf"
        disposition = "attachment" if download else "inline"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                (
                    "Content-Disposition",
                    content_disposition(filename, disposition_type=disposition),
                ),
            ],
        )

    @http.route("/my/leads/<int:lead_id>/csv", type="http", auth="user", website=True)
    def portal_my_lead_csv(self, lead_id, **kw):
        if not self._lead_flow_lead(lead_id):
            return request.not_found()
        data = request.env["crm.lead"].browse(lead_id)._lead_flow_portal_csv()
        return request.make_response(
            data,
            headers=[
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", content_disposition(f"lead-{lead_id}.csv")),
            ],
        )

    @http.route(
        "/my/leads/<int:lead_id>/files/<int:attachment_id>", type="http", auth="user", website=True
    )
    def portal_my_lead_file(self, lead_id, attachment_id, **kw):
        lead = self._lead_flow_lead(lead_id)
        if not lead:
            return request.not_found()
        attachment = lead._lead_flow_portal_attachments().filtered(lambda a: a.id == attachment_id)
        if not attachment:
            return request.not_found()
        return (
            request.env["ir.binary"]._get_stream_from(attachment).get_response(as_attachment=True)
        )

    @http.route(
        "/my/leads/<int:lead_id>/return", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_lead_return(self, lead_id, reason_id=None, note=None, **kw):
        return self._lead_flow_act(
            lead_id,
            lambda lead: lead.lead_flow_portal_return(int(reason_id or 0), note),
            request.env._("Return requested: it is pending until the call centre decides."),
            "#lead_flow_return",
        )

    @http.route(
        "/my/leads/<int:lead_id>/upload", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_lead_upload(self, lead_id, file=None, **kw):
        def upload(lead):
            if not file or not getattr(file, "filename", None):
                raise UserError(request.env._("Choose a file."))
            lead.lead_flow_portal_attach(file.filename, file.read(), file.content_type)

        return self._lead_flow_act(
            lead_id, upload, request.env._("File added."), "#lead_flow_files"
        )

    @http.route(
        "/my/leads/<int:lead_id>/appointment",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_lead_appointment(
        self, lead_id, user_id=None, start=None, duration=None, name=None, description=None, **kw
    ):
        def book(lead):
            start_at, stop_at = self._lead_flow_appointment_times(start, duration)
            lead.lead_flow_portal_appointment(user_id, start_at, stop_at, name, description)

        return self._lead_flow_act(
            lead_id, book, request.env._("Appointment created."), "#lead_flow_appointments"
        )

    def _lead_flow_appointment_times(self, start, duration):
        """UTC start and stop from a local ``datetime-local`` value and minutes."""
        try:
            local = fields.Datetime.to_datetime((start or "").replace("T", " ")[:16] + ":00")
            minutes = int(duration or 60)
        except ValueError as exc:
            raise UserError(request.env._("Set when the appointment starts.")) from exc
        if not local or minutes <= 0:
            raise UserError(request.env._("Set when the appointment starts."))
        tz = pytz.timezone(request.env.user.tz or "UTC")
        start_at = tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
        return start_at, start_at + timedelta(minutes=minutes)

    @http.route(
        "/my/leads/<int:lead_id>/email", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_lead_email(self, lead_id, subject=None, body=None, **kw):
        return self._lead_flow_act(
            lead_id,
            lambda lead: lead.lead_flow_portal_email(body, subject),
            request.env._("Message sent."),
            "#lead_flow_email",
        )

    @http.route(
        "/my/leads/<int:lead_id>/forward", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_lead_forward(self, lead_id, emails=None, note=None, **kw):
        return self._lead_flow_act(
            lead_id,
            lambda lead: lead.lead_flow_portal_forward(emails, note),
            request.env._("Lead forwarded."),
            "#lead_flow_email",
        )

    @http.route(
        "/my/leads/<int:lead_id>/assign", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_lead_assign(self, lead_id, user_id=None, **kw):
        return self._lead_flow_act(
            lead_id,
            lambda lead: lead.lead_flow_portal_assign(user_id),
            request.env._("Lead assigned."),
        )
