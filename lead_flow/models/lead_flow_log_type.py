from odoo import fields, models

CATEGORIES = [
    ("call", "Calls"),
    ("correspondence", "Correspondence"),
    ("task", "Tasks"),
    ("status", "Status and field changes"),
    ("document", "Documents"),
    ("note", "Notes"),
]


class LeadFlowLogType(models.Model):
    _name = "lead.flow.log.type"
    _description = "Lead Flow activity type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable technical key used by integrations (call, sms, email, ...).",
    )
    icon = fields.Char(default="fa-comment", help="Font Awesome icon class, e.g. fa-phone.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    category = fields.Selection(CATEGORIES, required=True, default="note")
    automatic = fields.Boolean(
        help="Logged by the system (stage change, e-mail, ...): no tile, no manual logging."
    )
    team_purpose = fields.Selection(
        [("both", "All teams"), ("buying", "Buying teams"), ("selling", "Selling teams")],
        string="Shown for",
        default="both",
        required=True,
        help="Limit the tile to leads of sales teams with this purpose.",
    )

    _sql_constraints = [
        ("code_unique", "unique(code)", "Another activity type already uses this code."),
    ]
