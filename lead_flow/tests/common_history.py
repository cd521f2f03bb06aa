from .common import LeadFlowCase


class HistoryCase(LeadFlowCase):
    """Helpers for the history tests: tracking flush and automatic entries by kind."""

    def setUp(self):
        super().setUp()
        # Records created in setUpClass have their tracking discarded until the commit
        # step runs: run it so that changes made by the tests are tracked.
        self.flush_tracking()

    def flush_tracking(self):
        """Tracking messages are posted at commit time: run that step now."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def entries(self, code=None, lead=None, origin=None):
        domain = [("lead_id", "=", (lead or self.lead).id)]
        if code:
            domain.append(("type_id.code", "=", code))
        if origin:
            domain.append(("origin", "=", origin))
        return self.env["lead.flow.log"].search(domain)

    def automatic(self, lead=None):
        return self.entries(lead=lead, origin="automatic")
