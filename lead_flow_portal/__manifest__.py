{
    "name": "Lead Flow Portal",
    "summary": "Lead buyers work the leads delivered to them in Odoo's portal: list, "
    "dashboard, returns, appointments, files and their own users",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Lead Flow Contributors",
    "website": "https://github.com/lead-flow/lead_flow",
    "depends": ["lead_flow", "portal"],
    "data": [
        "security/ir.model.access.csv",
        "security/lead_flow_portal_security.xml",
        "data/mail_template_data.xml",
        "views/res_partner_views.xml",
        "views/res_users_views.xml",
        "wizard/lead_flow_deliver_wizard_views.xml",
        "views/crm_lead_views.xml",
        "views/lead_flow_log_type_views.xml",
        "views/portal_templates.xml",
        "views/portal_lead_templates.xml",
        "views/portal_dashboard_templates.xml",
        "views/portal_buyer_templates.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "lead_flow_portal/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
