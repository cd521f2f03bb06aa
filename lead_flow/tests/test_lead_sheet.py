import os
import shutil
import subprocess
import tempfile

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import OPERATOR, LeadFlowCase

REPORT = "lead_flow.action_report_lead_sheet"


@tagged("post_install", "-at_install")
class TestLeadSheet(LeadFlowCase):
    """The lead sheet (PDF report) and the saved export "Lead sheet"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = cls.env["utm.source"].create({"name": "LF Spring fair"})
        cls.lead.write(
            {
                "contact_name": "Anna Smith",
                "partner_name": "Smith Gardens Ltd",
                "phone": "+1 555 0100",
                "city": "Springfield",
                "source_id": cls.source.id,
                "tag_ids": [(4, cls.tag_call_back.id)],
            }
        )
        # A restricted operator: CRM "own documents only" (operator implies salesman).
        cls.own_operator = new_test_user(
            cls.env, "lf_sheet_own", groups=f"base.group_user,{OPERATOR}", name="Owen Own"
        )

    def render_html(self, user, lead=None):
        lead = lead or self.lead
        Report = self.env["ir.actions.report"].with_user(user)
        html, report_type = Report._render_qweb_html(REPORT, lead.ids)
        self.assertEqual(report_type, "html")
        return html.decode()

    def test_sheet_shows_contact_origin_tags_status_notes_and_history(self):
        first = self.log_note(self.operator, "First call: busy, call back.")
        second = self.log_note(self.operator, "Second call: wants a demo.", outcome="positive")
        undone = self.log_note(self.operator, "Wrong lead, sorry.")
        undone.with_user(self.operator).action_undo()
        html = self.render_html(self.operator)
        for text in (
            "Lead Flow test lead",
            "Anna Smith",
            "Smith Gardens Ltd",
            "anna@example.com",
            "Springfield",
            "LF Spring fair",  # origin table
            str(self.lead.id),  # reference
            "LF Call back",  # tag
            self.lead.stage_id.name,
            "In progress",  # Lead Flow status
            "Positive",  # outcome of the second note
            "Olga Operator",
            "Call",  # the entries' type
        ):
            self.assertIn(text, html)
        # Newest first, undone entries left out.
        self.assertLess(html.index(second.body), html.index(first.body))
        self.assertNotIn(undone.body, html)

    def test_pdf_renders_with_the_lead(self):
        report = self.env.ref(REPORT)
        self.assertEqual(report.binding_model_id.model, "crm.lead", "in the lead's Print menu")
        self.assertEqual(report.binding_type, "report")
        self.log_note(self.operator, "Customer asked for a brochure.")
        Report = self.env["ir.actions.report"].with_user(self.operator)
        if Report.get_wkhtmltopdf_state() != "ok" or not shutil.which("pdftotext"):
            # HTML is what wkhtmltopdf prints; without it the HTML test above stands.
            return
        # wkhtmltopdf fetches the report's CSS from this server, which does not answer
        # while tests run inside the module install (it waits for the registry): point it
        # at a closed port instead; the text is printed all the same, unstyled.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        pdf, report_type = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            REPORT, self.lead.ids
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sheet.pdf")
            with open(path, "wb") as pdf_file:
                pdf_file.write(pdf)
            text = subprocess.run(
                ["pdftotext", "-layout", path, "-"],
                capture_output=True,
                check=True,
                text=True,
                timeout=60,
            ).stdout
        for fragment in ("Lead Flow test lead", "Anna Smith", "Customer asked for a brochure."):
            self.assertIn(fragment, text)

    def test_sheet_is_printed_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["lead_flow"], ["fr_FR"], overwrite=True)
        self.operator.lang = "fr_FR"
        self.log_note(self.operator, "Appel sympathique.")
        html = self.render_html(self.operator)
        self.assertIn("Statut Lead Flow", html)  # field label, lead_flow's fr.po
        self.assertIn("En cours", html)  # status value
        self.assertIn("Appel", html)  # the entry's type, a translated record name
        self.operator_2.lang = "en_US"
        self.assertIn("Lead Flow Status", self.render_html(self.operator_2))

    def test_unreadable_lead_is_refused(self):
        others = self.env["crm.lead"].create(
            {"name": "Someone else's lead", "type": "lead", "user_id": self.operator_2.id}
        )
        with self.assertRaises(AccessError):
            self.render_html(self.own_operator, others)
        mine = self.env["crm.lead"].create(
            {"name": "Owen own lead", "type": "lead", "user_id": self.own_operator.id}
        )
        self.assertIn("Owen own lead", self.render_html(self.own_operator, mine))

    def test_export_template_lead_sheet(self):
        export = self.env.ref("lead_flow.ir_exports_lead_sheet")
        self.assertEqual((export.name, export.resource), ("Lead sheet", "crm.lead"))
        names = export.export_fields.mapped("name")
        for name in ("name", "contact_name", "partner_name", "email_from", "phone", "tag_ids"):
            self.assertIn(name, names)
        for name in ("stage_id", "source_id", "campaign_id", "lead_flow_state", "user_id"):
            self.assertIn(name, names)
        # Exporting is Odoo's own right (Settings > Users: "Access to export feature").
        self.operator.groups_id += self.env.ref("base.group_allow_export")
        Lead = self.env["crm.lead"].with_user(self.operator)
        self.assertFalse(set(names) - set(Lead._fields), "every column is a lead field")
        rows = Lead.browse(self.lead.id).export_data(names)["datas"]
        self.assertEqual(rows[0][names.index("contact_name")], "Anna Smith")
        self.assertEqual(rows[0][names.index("tag_ids")], "LF Call back")
