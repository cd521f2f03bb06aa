/** @odoo-module **/
// A buyer admin in the portal: My Orders, open the open order, pause it, resume it,
// request a new order (tests/test_tour_orders.py checks the database afterwards).

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("lead_flow_order_buyer_tour", {
    steps: () => [
        {
            content: "The closed order is listed",
            trigger: "tr.o_lead_flow_order_row .o_lead_flow_order_state:contains('Closed')",
        },
        {
            content: "Open the open order",
            trigger:
                "tr.o_lead_flow_order_row:has(.o_lead_flow_order_state:contains('Open')) a.o_lead_flow_order_name",
            run: "click",
        },
        {
            content: "Its leads are listed",
            trigger: "tr.o_lead_flow_order_lead_row:contains('LFOP lead 4')",
        },
        {
            content: "Pause the order",
            trigger: ".o_lead_flow_order_pause button[type=submit]",
            run: "click",
        },
        {
            content: "The order is paused",
            trigger: ".o_lead_flow_message:contains('Order paused')",
        },
        {
            content: "Its status says so",
            trigger: ".o_lead_flow_order_state:contains('Paused')",
        },
        {
            content: "Resume the order",
            trigger: ".o_lead_flow_order_resume button[type=submit]",
            run: "click",
        },
        {
            content: "The order is open again",
            trigger: ".o_lead_flow_message:contains('Order resumed')",
        },
        {
            content: "Back to the orders",
            trigger: ".o_lead_flow_nav a:contains('Orders')",
            run: "click",
        },
        {
            content: "Request an order",
            trigger: "a.o_lead_flow_order_new",
            run: "click",
        },
        {
            content: "How many leads",
            trigger: ".o_lead_flow_order_request input[name=quantity]",
            run: "edit 25",
        },
        {
            content: "From when",
            trigger: ".o_lead_flow_order_request input[name=date_start]",
            run() {
                this.anchor.value = "2027-05-01";
            },
        },
        {
            content: "A daily cap",
            trigger: ".o_lead_flow_order_request input[name=cap_day]",
            run: "edit 3",
        },
        {
            content: "A note for the call centre",
            trigger: ".o_lead_flow_order_request textarea[name=note]",
            run: "edit Tour order note",
        },
        {
            content: "Send the request",
            trigger: ".o_lead_flow_order_request button[type=submit]",
            run: "click",
        },
        {
            content: "The order is requested",
            trigger: ".o_lead_flow_message:contains('requested')",
        },
        {
            content: "It is a draft until the call centre confirms it",
            trigger: ".o_lead_flow_order_state:contains('Draft')",
        },
    ],
});
