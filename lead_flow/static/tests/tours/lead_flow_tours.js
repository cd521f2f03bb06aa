/** @odoo-module **/
// Browser tours of the three Lead Flow roles, run headless by tests/test_tours.py.

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("lead_flow_operator_tour", {
    url: "/odoo/action-lead_flow.action_lead_flow_queue",
    steps: () => [
        {
            content: "The queue lists the never-contacted tour lead",
            trigger: ".o_list_view .o_data_row:contains('Tour lead Aurora')",
        },
        {
            content: "Search the queue by phone",
            trigger: ".o_searchview_input",
            run: "edit 555 0199",
        },
        {
            content: "Enter searches name, e-mail and phone at once",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Only the lead with that phone is left",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour lead Aurora'))) .o_data_row:contains('Tour lead Boreal')",
        },
        {
            content: "Next lead reserves the first lead of the queue and opens it",
            trigger: ".o_list_view button[name=action_lead_flow_next]",
            run: "click",
        },
        {
            content: "The form of the first lead of the queue opens",
            trigger: ".o_form_view .o_breadcrumb:contains('Tour lead Aurora')",
        },
        {
            content: "The form says the lead is mine",
            trigger: ".o_form_view .alert-info:contains('reserved for you')",
        },
        {
            content: "Log a note",
            trigger: ".o_form_statusbar button:contains('Log call')",
            run: "click",
        },
        {
            content: "Pick a predefined note",
            trigger: ".modal .o_field_widget[name=template_id] .o_selection_badge:contains('Tour call back')",
            run: "click",
        },
        {
            content: "Its text fills the note",
            trigger: ".modal .o_field_widget[name=body] textarea:value('Busy, call back tomorrow.')",
        },
        {
            content: "and its tags are shown",
            trigger: ".modal .o_field_widget[name=template_tag_ids] .o_tag:contains('Tour callback tag')",
        },
        {
            trigger: ".modal button[name=action_log]",
            run: "click",
        },
        {
            content: "The dialog closes, the tag lands on the lead",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name=tag_ids] .o_tag:contains('Tour callback tag')",
        },
        {
            content: "The lead is still reserved for me",
            trigger: ".o_form_view .alert-info:contains('reserved for you')",
        },
        {
            content: "Open the Lead Flow tab",
            trigger: ".o_notebook .nav-link:contains('Lead Flow')",
            run: "click",
        },
        {
            content: "The history holds the new entry",
            trigger: ".o_field_widget[name=lead_flow_log_ids] .o_data_row:contains('Busy, call back tomorrow.')",
        },
        {
            content: "and the status is In progress",
            trigger: ".o_field_widget[name=lead_flow_state]:contains('In progress')",
        },
    ],
});

tours.add("lead_flow_manager_report_tour", {
    url: "/odoo/action-lead_flow.action_lead_flow_report",
    steps: () => [
        {
            content: "The analysis opens as a pivot, one row per operator",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Tour Operator')",
        },
        {
            content: "Switch to the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph draws the same figures",
            trigger: ".o_graph_renderer canvas",
        },
        {
            content: "Back to the pivot: the figures are still there",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Tour Operator')",
        },
    ],
});

tours.add("lead_flow_manager_undo_tour", {
    steps: () => [
        {
            content: "The operator's entry, not undone yet",
            trigger: ".o_form_view:not(:has(.ribbon)) .o_field_widget[name=body]:contains('Wrong number')",
        },
        {
            content: "Undo it",
            trigger: ".o_form_statusbar button[name=action_undo]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The entry stays, marked undone, with who undid it",
            trigger: ".o_form_view .ribbon:contains('Undone')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=undone_by_id]:contains('Tour Manager')",
        },
        {
            content: "It cannot be undone twice",
            trigger: ".o_form_view:not(:has(button[name=action_undo])) .ribbon:contains('Undone')",
        },
    ],
});

tours.add("lead_flow_admin_settings_tour", {
    url: "/odoo/settings#crm",
    steps: () => [
        {
            content: "The Lead Flow block is in the CRM settings",
            trigger: "#lead_flow_reservation",
        },
        {
            content: "Reservations now expire after 12 hours",
            trigger: "#lead_flow_reservation .o_field_widget[name=lead_flow_reservation_hours] input",
            run: "edit 12",
        },
        {
            trigger: ".o_control_panel .o_form_button_save",
            run: "click",
        },
        {
            // The typed value matches before the save ends: wait for a clean form too.
            content: "Saved: the page reloads with the new value",
            trigger:
                "body:not(:has(.o_form_dirty)) #lead_flow_reservation .o_field_widget[name=lead_flow_reservation_hours] input:value('12')",
        },
    ],
});
