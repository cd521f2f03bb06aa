from datetime import timedelta

from odoo import api, fields, models

DEMO_COMPANIES = [
    "Alder Logistics",
    "Birch Dental",
    "Cedar Bakery",
    "Delta Print",
    "Elm Fitness",
    "Fjord Travel",
    "Granite Builders",
    "Harbor Legal",
    "Iris Florist",
    "Juniper IT",
]
DEMO_FIRST_NAMES = [
    "Anna",
    "Marco",
    "Elena",
    "Luca",
    "Sofia",
    "Pierre",
    "Ioana",
    "Diego",
    "Clara",
    "Tom",
]


class CrmLead(models.Model):
    """Demo data loader, kept apart from the business rules of crm_lead.py."""

    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lead_flow_populate_demo(self):
        """Create ~50 demo leads and some history, through the same API operators use."""
        ref = self.env.ref
        operators = ref("lead_flow.user_operator_olivia") | ref("lead_flow.user_operator_oscar")
        templates = {
            key: ref(f"lead_flow.note_template_{key}")
            for key in ("success", "call_back", "not_interested", "no_answer")
        }
        team = ref("sales_team.team_sales_department", raise_if_not_found=False)
        leads = self.create(
            [
                {
                    "name": f"{DEMO_COMPANIES[i % 10]} – {DEMO_FIRST_NAMES[(i * 3) % 10]} #{i + 1}",
                    "type": "lead",
                    "contact_name": DEMO_FIRST_NAMES[(i * 3) % 10],
                    "partner_name": DEMO_COMPANIES[i % 10],
                    "email_from": f"{DEMO_FIRST_NAMES[(i * 3) % 10].lower()}{i + 1}@example.com",
                    "phone": f"+39 02 555 {1000 + i}",
                    "team_id": team.id if team else False,
                    "priority": str(i % 4),
                }
                for i in range(50)
            ]
        )
        # Work a third of them: a few notes each, spread over the last days.
        plan = ["no_answer", "call_back", "success", "not_interested"]
        now = fields.Datetime.now()
        for i, lead in enumerate(leads[:18]):
            operator = operators[i % 2]
            steps = plan[: 1 + i % 4]
            for step, key in enumerate(steps):
                template = templates[key]
                log_id = lead.with_user(operator).lead_flow_log_note(
                    template.body, template_id=template.id
                )
                when = now - timedelta(days=18 - i, hours=len(steps) - step)
                self.env["lead.flow.log"].browse(log_id).date = when
                lead.lead_flow_last_contact_at = when
            if i % 5:  # keep a few reservations so the demo shows them
                lead.lead_flow_release()
        return True
