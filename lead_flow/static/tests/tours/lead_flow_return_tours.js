/** @odoo-module **/
// Returns in the browser: an operator returns a lead, a manager approves it
// (tests/test_tours.py checks the database afterwards).

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

tours.add("lead_flow_return_request_tour", {
    steps: () => [
        {
            content: "The lead form offers Return lead",
            trigger: ".o_form_view .o_breadcrumb:contains('Tour lead Return')",
        },
        {
            content: "Return the lead",
            trigger: ".o_form_statusbar button:contains('Return lead')",
            run: "click",
        },
        {
            content: "Pick the reason",
            trigger: ".modal .o_field_widget[name=reason_id] label:contains('Duplicate')",
            run: "click",
        },
        {
            content: "Say what happened",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Same customer as yesterday.",
        },
        {
            content: "Send the return",
            trigger: ".modal footer button[name=action_request]",
            run: "click",
        },
        {
            content: "The lead says its return is pending",
            trigger: ".o_form_view:not(:has(.modal)) .alert-warning:contains('Return pending')",
        },
    ],
});

tours.add("lead_flow_return_approve_tour", {
    steps: () => [
        {
            content: "The pending return is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour lead Return'):contains('Duplicate')",
        },
        {
            content: "Approve it from the list",
            trigger: ".o_data_row:contains('Tour lead Return') button[name=action_approve]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal footer button.btn-primary",
            run: "click",
        },
        {
            content: "It leaves the pending returns",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour lead Return')))",
        },
    ],
});
