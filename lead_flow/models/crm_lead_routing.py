"""Call-centre routing state of a lead: callbacks, retries, attempts, skips.

These columns steer Next lead (see models/queue_index.py, where they are copied into the
queue table by its trigger). They change only through checked methods (callback, retry
rules, skip), never by editing the lead. Do not call is Odoo's phone blacklist itself.
"""

from odoo import fields, models

ROUTING_FIELDS = (
    "lead_flow_callback_at",
    "lead_flow_callback_user_id",
    "lead_flow_retry_at",
    "lead_flow_attempt_count",
    "lead_flow_skipped_at",
    "lead_flow_skipped_by_id",
)


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    lead_flow_callback_at = fields.Datetime(
        "Callback",
        copy=False,
        readonly=True,
        help="The lead leaves the queue until then; then it comes first.",
    )
    lead_flow_callback_user_id = fields.Many2one(
        "res.users",
        string="Callback for",
        copy=False,
        readonly=True,
        help="Empty: anyone may take the callback. Set: it is offered to this operator first; "
        "after the grace period (Settings) to anyone.",
    )
    lead_flow_retry_at = fields.Datetime(
        "Not before",
        copy=False,
        readonly=True,
        help="Set by the retry rules: the queue offers the lead again from then on.",
    )
    lead_flow_attempt_count = fields.Integer(
        "Attempts",
        copy=False,
        readonly=True,
        help="Calls and skips since the last positive contact.",
    )
    lead_flow_skipped_at = fields.Datetime("Skipped on", copy=False, readonly=True)
    lead_flow_skipped_by_id = fields.Many2one(
        "res.users", string="Skipped by", copy=False, readonly=True
    )
