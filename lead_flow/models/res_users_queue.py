from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"  # pylint: disable=consider-merging-classes-inherited

    lead_flow_queue_id = fields.Many2one(
        "lead.flow.queue",
        string="Lead Flow queue",
        readonly=True,
        help="The queue this operator works now; empty: all their queues in sequence.",
    )

    def _lead_flow_set_queue(self, queue):
        """Work ``queue`` only (empty: all my queues again). The claim plan keeps each
        user's choice (lead.flow.queue._lead_flow_user_queue_ids)."""
        self.ensure_one()
        self.sudo().lead_flow_queue_id = queue
        self.env.registry.clear_cache()
