{
    "name": "Lead Flow - Email Marketing",
    "summary": "Limit the Lead Flow queue to leads present in chosen mailing lists",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Lead Flow Contributors",
    "website": "https://github.com/lead-flow/lead_flow",
    "depends": ["lead_flow", "mass_mailing"],
    "data": ["views/res_config_settings_views.xml"],
    "auto_install": True,
    "installable": True,
}
