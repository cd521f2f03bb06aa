{
    "name": "Lead Flow Orders",
    "summary": "Lead buyers order leads; new leads are distributed to open orders within "
    "their caps and areas, returns credit the order, invoices through Odoo Accounting",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Lead Flow Contributors",
    "website": "https://github.com/lead-flow/lead_flow",
    "depends": ["lead_flow_portal", "account"],
    "data": [
        "security/ir.model.access.csv",
        "security/lead_flow_order_security.xml",
        "data/ir_sequence_data.xml",
        "data/product_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "views/lead_flow_order_views.xml",
        "views/lead_flow_delivery_views.xml",
        "views/crm_lead_views.xml",
        "views/lead_flow_return_views.xml",
        "views/portal_order_templates.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "lead_flow_order/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
