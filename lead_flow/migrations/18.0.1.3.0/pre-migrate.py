"""18.0.1.3.0: the lead form's header lost Release and Reassign (now in its Action menu).
The Skip button's view was placed after Release: updating the form first would find that
anchor gone in the stored Skip view and stop the update. Drop that view; the update
creates it again from lead_flow_skip_wizard_views.xml, anchored on Next lead."""


def migrate(cr, version):
    cr.execute(
        """DELETE FROM ir_ui_view WHERE id IN (
               SELECT res_id FROM ir_model_data
                WHERE module = 'lead_flow' AND model = 'ir.ui.view'
                  AND name = 'crm_lead_view_form_lead_flow_skip')"""
    )
    cr.execute(
        "DELETE FROM ir_model_data WHERE module = 'lead_flow' AND model = 'ir.ui.view'"
        " AND name = 'crm_lead_view_form_lead_flow_skip'"
    )
