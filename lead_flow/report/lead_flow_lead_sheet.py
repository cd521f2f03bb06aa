from odoo import api, models

HISTORY_LIMIT = 200  # newest entries printed; a sheet is for reading, not an archive
NOTES_LIMIT = 3
# Field labels printed from crm.lead's own field descriptions, so that they come in the
# reader's language with Odoo's and Lead Flow's translations (no extra terms to keep).
LABEL_FIELDS = [
    "contact_name",
    "partner_name",
    "email_from",
    "phone",
    "street",
    "user_id",
    "team_id",
    "lang_id",
    "stage_id",
    "source_id",
    "campaign_id",
    "medium_id",
    "create_date",
    "lead_flow_reference",
    "tag_ids",
    "lead_flow_state",
    "lead_flow_outcome",
    "lead_flow_last_contact_at",
    "lead_flow_reserved_user_id",
]
LOG_LABEL_FIELDS = ["date", "type_id", "user_id", "outcome", "body"]


class ReportLeadSheet(models.AbstractModel):
    _name = "report.lead_flow.report_lead_sheet"
    _description = "Lead Flow: lead sheet"

    @api.model
    def _get_report_values(self, docids, data=None):
        leads = self.env["crm.lead"].browse(docids)
        # The rendering reads the lead as the user, but an explicit check refuses an
        # unreadable lead before anything is rendered, whatever the template reads.
        leads.check_access("read")
        lang = self.env.user.lang or self.env.lang
        Log = self.env["lead.flow.log"]
        history, history_total, notes = {}, {}, {}
        for lead in leads:
            domain = [("lead_id", "=", lead.id), ("undone", "=", False)]
            history[lead.id] = Log.search(domain, order="date desc, id desc", limit=HISTORY_LIMIT)
            history_total[lead.id] = Log.search_count(domain)
            notes[lead.id] = lead._lead_flow_recent_notes(NOTES_LIMIT)
        localized = self.with_context(lang=lang).env
        labels = {
            name: desc["string"]
            for name, desc in localized["crm.lead"].fields_get(LABEL_FIELDS, ["string"]).items()
        }
        log_labels = {
            name: desc["string"]
            for name, desc in localized["lead.flow.log"]
            .fields_get(LOG_LABEL_FIELDS, ["string"])
            .items()
        }
        return {
            "doc_ids": docids,
            "doc_model": "crm.lead",
            "docs": leads,
            "history": history,
            "history_total": history_total,
            "history_limit": HISTORY_LIMIT,
            "notes": notes,
            "labels": labels,
            "log_labels": log_labels,
        }
