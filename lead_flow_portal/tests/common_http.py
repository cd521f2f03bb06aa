import re

from odoo.tests import HttpCase

from .common import LeadFlowPortalMixin

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class LeadFlowPortalHttpCase(LeadFlowPortalMixin, HttpCase):
    """Real HTTP requests as the buyers' portal users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._lead_flow_portal_setup()

    def login(self, user):
        self.authenticate(user.login, f"{user.login}_pw_123")

    def get(self, url, status=200):
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, status, f"GET {url}")
        return response

    def csrf(self):
        """A CSRF token of the current session, read from a portal page."""
        page = self.url_open("/my/security")
        return CSRF_RE.search(page.text).group(1)

    def post(self, url, data=None, files=None, status=303):
        payload = dict(data or {}, csrf_token=self.csrf())
        response = self.url_open(url, data=payload, files=files, allow_redirects=False)
        self.assertEqual(response.status_code, status, f"POST {url}: {response.text[:300]}")
        return response

    def rows(self, html, marker):
        """The lead names of a page, in order."""
        return re.findall(r"LFP lead \w+", html) if marker else []
