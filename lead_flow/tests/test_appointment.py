from datetime import timedelta

from odoo import fields
from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import OPERATOR, LeadFlowCase


@tagged("post_install", "-at_install")
class TestAppointment(LeadFlowCase, MockEmail):
    """crm.lead.lead_flow_create_appointment, its wizard and the Appointments menu."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Anna Smith", "email": "anna@example.com"}
        )
        cls.lead.write({"partner_id": cls.contact.id, "user_id": cls.salesman.id})
        cls.start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        cls.stop = cls.start + timedelta(hours=1)
        cls.own_operator = new_test_user(
            cls.env, "lf_appt_own", groups=f"base.group_user,{OPERATOR}", name="Owen Own"
        )

    def book(self, user=None, lead=None, **kwargs):
        values = {
            "user_id": self.salesman.id,
            "start": self.start,
            "stop": self.stop,
            "name": "Demo at the customer's",
            **kwargs,
        }
        lead = (lead or self.lead).with_user(user or self.operator)
        return lead.lead_flow_create_appointment(**values)

    def events(self):
        return self.env["calendar.event"].search([("opportunity_id", "=", self.lead.id)])

    def test_appointment_linked_organised_and_mailed(self):
        with self.mock_mail_gateway():
            event_id = self.book(description="Bring the brochure.\nAsk for Anna.")
        self.assertIsInstance(event_id, int, "RPC methods return plain ids")
        event = self.env["calendar.event"].browse(event_id)
        self.assertEqual(event.opportunity_id, self.lead)
        self.assertEqual((event.res_model, event.res_id), ("crm.lead", self.lead.id))
        self.assertEqual(event.user_id, self.salesman, "the chosen user organises it")
        # As crm's own Meetings button: the user and the lead's contact attend.
        self.assertEqual(event.partner_ids, self.salesman.partner_id | self.contact)
        self.assertEqual((event.start, event.stop), (self.start, self.stop))
        self.assertIn("Ask for Anna.", event.description)
        # Calendar's own invitation, to the user's address.
        invitation = self._new_mails.filtered(
            lambda mail: self.salesman.partner_id in mail.recipient_ids
        )
        self.assertTrue(invitation, "the user gets Odoo's invitation")
        self.assertTrue(any(self.salesman.email in str(mail["email_to"]) for mail in self._mails))
        self.assertIn("Demo at the customer's", invitation[0].subject)
        # The lead's Meetings button counts it (crm's smart button, also on leads).
        self.assertEqual(self.lead.calendar_event_ids, event)
        action = self.lead.with_user(self.operator).action_schedule_meeting()
        self.assertEqual(action["context"]["search_default_opportunity_id"], self.lead.id)
        self.assertEqual(action["context"]["default_opportunity_id"], self.lead.id)

    def test_string_datetimes_over_rpc(self):
        event_id = self.book(
            start=fields.Datetime.to_string(self.start), stop=fields.Datetime.to_string(self.stop)
        )
        self.assertEqual(self.env["calendar.event"].browse(event_id).start, self.start)

    def test_bad_input_is_refused_and_nothing_written(self):
        archived = new_test_user(self.env, "lf_appt_archived", name="Arch Ived")
        archived.active = False
        portal = new_test_user(self.env, "lf_appt_portal", groups="base.group_portal")
        cases = [
            ({"user_id": archived.id}, "archived"),
            ({"user_id": portal.id}, "not an internal user"),
            ({"user_id": False}, "Choose who"),
            ({"user_id": 999999}, "Choose who"),
            ({"stop": self.start - timedelta(hours=1)}, "must end after it starts"),
            ({"stop": self.start}, "must end after it starts"),
            ({"name": "   "}, "title"),
            ({"name": False}, "title"),
            ({"start": False}, "starts"),
            ({"stop": "next tuesday"}, "not a date and time"),
        ]
        for values, fragment in cases:
            with self.subTest(values=values):
                events_before = self.env["calendar.event"].search_count([])
                with self.mock_mail_gateway(), self.assertRefused(ValidationError, fragment):
                    self.book(**values)
                self.assertEqual(self.env["calendar.event"].search_count([]), events_before)
                self.assertFalse(self._new_mails, "nobody is e-mailed")

    def test_caller_must_write_the_lead(self):
        # Own-documents operator, lead assigned to someone else.
        with self.assertRaises(AccessError):
            self.book(user=self.own_operator)
        self.assertFalse(self.events())

    def test_wizard_books_through_the_method(self):
        Wizard = self.env["lead.flow.appointment.wizard"].with_user(self.operator)
        with Form(Wizard.with_context(default_lead_id=self.lead.id)) as wizard:
            self.assertEqual(wizard.name, self.lead.name)
            self.assertEqual(wizard.user_id, self.salesman, "the lead's salesperson")
            wizard.start = self.start
            wizard.stop = self.stop
            wizard.description = "Visit"
        wizard.record.action_create()
        self.assertEqual(self.events().user_id, self.salesman)
        with Form(Wizard.with_context(default_lead_id=self.lead.id)) as wizard:
            wizard.start = self.start
            wizard.stop = self.start - timedelta(hours=2)
        with self.assertRaises(ValidationError):
            wizard.record.action_create()
        self.assertEqual(len(self.events()), 1)

    def test_appointments_menu(self):
        action = self.env.ref("lead_flow.action_lead_flow_appointments")
        self.assertEqual(self.env.ref("lead_flow.menu_lead_flow_appointments").action, action)
        self.assertEqual(safe_eval(action.context), {"search_default_lead_flow_my_appointments": 1})
        mine = self.env["calendar.event"].browse(self.book())
        others_lead = self.env["crm.lead"].create(
            {"name": "Elsewhere", "type": "lead", "user_id": self.operator_2.id}
        )
        theirs = self.env["calendar.event"].browse(
            self.book(lead=others_lead, user=self.operator_2, user_id=self.operator_2.id)
        )
        plain = self.env["calendar.event"].create(
            {"name": "No lead", "start": self.start, "stop": self.stop}
        )
        domain = safe_eval(action.domain)
        for user, expected in (
            (self.manager, mine | theirs),
            (self.operator, mine | theirs),
            (self.own_operator, self.env["calendar.event"]),  # neither lead is theirs
        ):
            with self.subTest(user=user.name):
                found = self.env["calendar.event"].with_user(user).search(domain)
                self.assertEqual(found & (mine | theirs | plain), expected)
