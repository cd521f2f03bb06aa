from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import datetime, safe_eval

from .common_history import HistoryCase


@tagged("post_install", "-at_install")
class TestHistoryPermissions(HistoryCase):
    def attach(self, name="contract.pdf"):
        return self.env["ir.attachment"].create(
            {"name": name, "raw": b"%PDF", "res_model": "crm.lead", "res_id": self.lead.id}
        )

    def test_delete_document_needs_permission_and_is_recorded(self):
        attachment = self.attach()
        entry = self.automatic()
        self.assertEqual(entry.attachment_id, attachment)
        with self.assertRaises(AccessError):
            entry.with_user(self.operator).action_delete_document()
        self.assertTrue(attachment.exists())

        entry.with_user(self.manager).action_delete_document()
        self.assertFalse(attachment.exists(), "the file is gone")
        deletion = self.automatic() - entry
        self.assertEqual(len(deletion), 1)
        self.assertEqual(deletion.user_id, self.manager, "who")
        self.assertTrue(deletion.date, "when")
        self.assertIn("contract.pdf", deletion.body)

    def test_delete_permission_follows_settings(self):
        entry = (self.attach(), self.automatic())[1]
        settings = self.env["res.config.settings"].create(
            {
                "lead_flow_delete_document_group_ids": [
                    (6, 0, [self.env.ref("lead_flow.group_lead_flow_operator").id])
                ]
            }
        )
        settings.execute()
        entry.with_user(self.operator).action_delete_document()
        self.assertFalse(entry.attachment_id)
        values = self.env["res.config.settings"].default_get(
            ["lead_flow_delete_document_group_ids"]
        )
        self.assertTrue(values["lead_flow_delete_document_group_ids"])

    def test_reopen_done_activity_needs_permission(self):
        activity_type = self.env.ref("mail.mail_activity_data_call")
        activity_type.keep_done = True
        activity = self.lead.activity_schedule(
            "mail.mail_activity_data_call", summary="Call Anna", user_id=self.operator.id
        )
        activity.with_user(self.operator).action_done()
        self.assertFalse(activity.active, "Odoo keeps done activities archived")
        with self.assertRaises(AccessError):
            activity.with_user(self.operator).action_lead_flow_reopen()
        activity.with_user(self.manager).action_lead_flow_reopen()
        self.assertTrue(activity.active)
        self.assertIn("reopened", self.lead.message_ids[0].body)
        action = self.lead.action_lead_flow_done_activities()
        self.assertEqual(action["res_model"], "mail.activity")


@tagged("post_install", "-at_install")
class TestHistoryFilters(HistoryCase):
    def filter_domain(self, name, user=None):
        view = self.env.ref("lead_flow.lead_flow_log_view_search")
        arch = etree.fromstring(self.env["lead.flow.log"].get_view(view.id, "search")["arch"])
        node = arch.xpath(f"//filter[@name='{name}']")[0]
        return safe_eval(
            node.get("domain"),
            {
                "uid": (user or self.env.user).id,
                "context_today": datetime.date.today,
                "datetime": datetime,
                "relativedelta": relativedelta,
            },
        )

    def search_filter(self, name):
        domain = [("lead_id", "=", self.lead.id)] + self.filter_domain(name)
        return self.env["lead.flow.log"].search(domain)

    def test_filters_return_the_right_kinds(self):
        call = self.log_note(self.operator, "Called.")
        self.lead.message_post(body="Hi", message_type="email", subtype_xmlid="mail.mt_comment")
        self.lead.write({"user_id": self.operator_2.id})
        self.flush_tracking()
        self.env["ir.attachment"].create(
            {"name": "a.pdf", "raw": b"x", "res_model": "crm.lead", "res_id": self.lead.id}
        )
        activity = self.lead.activity_schedule("mail.mail_activity_data_todo", summary="Do it")
        activity.action_feedback("done")
        by_code = {entry.type_id.code: entry for entry in self.entries()}
        self.assertEqual(
            set(by_code), {"call", "email_in", "user", "attachment", "activity"}, by_code
        )

        self.assertEqual(self.search_filter("kind_call"), call)
        self.assertEqual(self.search_filter("kind_correspondence"), by_code["email_in"])
        self.assertEqual(self.search_filter("kind_status"), by_code["user"])
        self.assertEqual(self.search_filter("kind_document"), by_code["attachment"])
        self.assertEqual(self.search_filter("kind_done_task"), by_code["activity"])
        self.assertEqual(self.search_filter("manual"), call)
        self.assertEqual(len(self.search_filter("automatic")), 4)
        self.assertEqual(len(self.search_filter("today")), 5)
        self.assertEqual(len(self.search_filter("last_7_days")), 5)
        mine = (
            self.env["lead.flow.log"]
            .with_user(self.operator)
            .search(
                [("lead_id", "=", self.lead.id)] + self.filter_domain("my_entries", self.operator)
            )
        )
        self.assertIn(call, mine)
        self.assertNotIn(by_code["attachment"], mine)

    def test_history_tab_and_origins(self):
        source = self.env["utm.source"].create({"name": "LF Fair"})
        campaign = self.env["utm.campaign"].create({"name": "LF Spring"})
        self.lead.write(
            {
                "source_id": source.id,
                "campaign_id": campaign.id,
                "user_id": self.operator.id,
                "lang_id": self.env.ref("base.lang_en").id,
            }
        )
        summary = self.lead.lead_flow_history_summary()
        self.assertEqual(summary["reference"], str(self.lead.id))
        self.assertEqual(summary["assignee"], "Olga Operator")
        self.assertEqual(summary["source"], "LF Fair")
        self.assertEqual(summary["campaign"], "LF Spring")
        self.assertTrue(summary["language"])
        self.assertTrue(summary["stage"])
        self.assertTrue(summary["created_at"])
        action = self.env.ref("lead_flow.action_lead_flow_origins")
        leads = self.env["crm.lead"].with_user(self.manager).search(safe_eval(action.domain))
        self.assertIn(self.lead, leads)
        form = self.env["crm.lead"].get_view(self.env.ref("crm.crm_lead_view_form").id, "form")
        self.assertIn("lead_flow_history", form["arch"])
