from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LeadFlowCase


@tagged("post_install", "-at_install")
class TestNoteValidation(LeadFlowCase):
    """Bad input is refused in the user's words, and nothing is written."""

    def test_empty_or_blank_body_is_refused(self):
        for body in ("", "   ", "\n\t  \n", False):
            with self.subTest(body=body), self.assertRefused(ValidationError, "empty"):
                self.log_note(self.operator, body)

    def test_blank_body_is_refused_even_with_a_template(self):
        with self.assertRefused(ValidationError, "empty"):
            self.log_note(self.operator, "  ", template_id=self.tmpl_call_back.id)

    def test_archived_template_is_refused_by_name(self):
        self.tmpl_call_back.active = False
        with self.assertRefused(ValidationError, "LF Call back", "archived"):
            self.log_note(self.operator, "Busy.", template_id=self.tmpl_call_back.id)

    def test_template_with_archived_tag_is_refused_naming_the_tag(self):
        self.tag_call_back.active = False
        with self.assertRefused(ValidationError, "LF Call back", "archived tags"):
            self.log_note(self.operator, "Busy.", template_id=self.tmpl_call_back.id)

    def test_template_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.tmpl_success.company_id = other
        with self.assertRefused(ValidationError, "LF Successful call", "Other Co"):
            self.log_note(self.operator, "Great call.", template_id=self.tmpl_success.id)

    def test_unknown_outcome_and_template_are_refused(self):
        with self.assertRefused(ValidationError, "maybe"):
            self.log_note(self.operator, "Hmm.", outcome="maybe")
        with self.assertRefused(ValidationError, "no longer exists"):
            self.log_note(self.operator, "Hmm.", template_id=999999999)

    def test_manual_entry_without_comment_cannot_be_created_directly(self):
        with self.assertRaises(ValidationError):
            self.env["lead.flow.log"].create(  # as superuser: the only one who may
                {
                    "lead_id": self.lead.id,
                    "type_id": self.env.ref("lead_flow.log_type_call").id,
                    "body": "  ",
                }
            )
