/** @odoo-module **/
// A lead buyer in the portal: dashboard, leads, open one, return it, upload a file,
// book an appointment (tests/test_tour.py checks the database afterwards).

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("lead_flow_portal_buyer_tour", {
    steps: () => [
        {
            content: "The dashboard draws its chart",
            trigger: "svg.o_lead_flow_chart polyline.o_lead_flow_chart_current",
        },
        {
            content: "Go to the leads",
            trigger: ".o_lead_flow_nav a:contains('Leads')",
            run: "click",
        },
        {
            content: "Open the lead",
            trigger: "tr.o_lead_flow_lead_row:contains('LFP lead Plain') a:contains('Open lead')",
            run: "click",
        },
        {
            content: "Pick a return reason",
            trigger: ".o_lead_flow_return_form select[name=reason_id]",
            run: "selectByIndex 1",
        },
        {
            content: "Say why",
            trigger: ".o_lead_flow_return_form textarea[name=note]",
            run: "edit Not a real customer",
        },
        {
            content: "Return the lead",
            trigger: ".o_lead_flow_return_form button[type=submit]",
            run: "click",
        },
        {
            content: "The return is pending",
            trigger: ".o_lead_flow_return_state:contains('Pending')",
        },
        {
            content: "Choose a file",
            trigger: ".o_lead_flow_upload_form input[type=file]",
            run() {
                const transfer = new DataTransfer();
                transfer.items.add(new File(["tour file"], "tour.txt", { type: "text/plain" }));
                this.anchor.files = transfer.files;
            },
        },
        {
            content: "Upload it",
            trigger: ".o_lead_flow_upload_form button[type=submit]",
            run: "click",
        },
        {
            content: "The file is listed",
            trigger: ".o_lead_flow_files a:contains('tour.txt')",
        },
        {
            content: "Title the appointment",
            trigger: ".o_lead_flow_appointment_form input[name=name]",
            run: "edit Tour visit",
        },
        {
            content: "Set when it starts",
            trigger: ".o_lead_flow_appointment_form input[name=start]",
            run() {
                this.anchor.value = "2030-06-03T09:30";
            },
        },
        {
            content: "Create the appointment",
            trigger: ".o_lead_flow_appointment_form button[type=submit]",
            run: "click",
        },
        {
            content: "The appointment is listed on the lead",
            trigger: ".o_lead_flow_lead_appointments td:contains('Tour visit')",
        },
    ],
});
