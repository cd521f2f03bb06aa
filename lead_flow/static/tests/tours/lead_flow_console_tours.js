/** @odoo-module **/
// The operator console from the keyboard only, run headless by tests/test_console_tour.py.

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const NOTE = ".o_lead_flow_console_note";

tours.add("lead_flow_console_keyboard_tour", {
    url: "/odoo/action-lead_flow.action_lead_flow_console",
    steps: () => [
        {
            content: "The console is painted: log how long after navigation (issue: <= 1 s)",
            trigger: ".o_lead_flow_console .o_lead_flow_console_bar",
            run() {
                const ms = Math.round(performance.now());
                console.info(`lead_flow console first paint: ${ms} ms after navigation`);
            },
        },
        {
            content: "Nothing in hand yet: Ctrl+Enter takes the first lead of the queue",
            trigger: ".o_lead_flow_console_empty .o_lead_flow_console_next:contains('Ctrl+Enter')",
            run: "press ctrl+Enter",
        },
        {
            content: "The first lead is on screen, reserved for me, its phone a tel: link",
            trigger: ".o_lead_flow_console_name:contains('Console lead Aurora')",
        },
        {
            trigger: ".o_lead_flow_console_phone[href='tel:+1 555 0100']",
        },
        {
            trigger: ".o_lead_flow_console_reservation:contains('Reserved for you')",
        },
        {
            content: "Focus is in the note box; Alt+1 picks the first predefined note",
            trigger: `${NOTE}:focus`,
            run: "press alt+1",
        },
        {
            content: "Its text fills the note box and its outcome is selected",
            trigger: `${NOTE}:value('Busy, call back tomorrow.')`,
        },
        {
            trigger: ".o_lead_flow_console_outcome.active[data-outcome=partial]",
        },
        {
            content: "Alt+B opens the callback presets",
            trigger: `${NOTE}:focus`,
            run: "press alt+b",
        },
        {
            content: "Alt+T: tomorrow at 9:00",
            trigger: ".o_lead_flow_console_preset[data-preset=t]:contains('Alt+T')",
            run: "press alt+t",
        },
        {
            trigger: ".o_lead_flow_console_callback.active",
        },
        {
            content: "Ctrl+Enter logs and takes the next lead",
            trigger: `${NOTE}:focus`,
            run: "press ctrl+Enter",
        },
        {
            content: "The second lead, my call counted",
            trigger: ".o_lead_flow_console_name:contains('Console lead Boreal')",
        },
        {
            trigger: ".o_lead_flow_calls_today:contains('1')",
        },
        {
            content: "Type a note of my own",
            trigger: `${NOTE}:focus`,
            run: "edit Interested, sending the offer.",
        },
        {
            content: "Alt+P: positive",
            trigger: `${NOTE}:focus`,
            run: "press alt+p",
        },
        {
            trigger: ".o_lead_flow_console_outcome.active[data-outcome=positive]",
        },
        {
            trigger: `${NOTE}:focus`,
            run: "press ctrl+Enter",
        },
        {
            content: "The third lead",
            trigger: ".o_lead_flow_console_name:contains('Console lead Cirrus')",
        },
        {
            content: "Alt+2: the predefined note that completes the lead",
            trigger: `${NOTE}:focus`,
            run: "press alt+2",
        },
        {
            trigger: ".o_lead_flow_console_complete.active",
        },
        {
            trigger: `${NOTE}:focus`,
            run: "press ctrl+Enter",
        },
        {
            content: "The queue is empty",
            trigger: ".o_lead_flow_console_empty:contains('No lead in hand')",
        },
        {
            trigger: ".o_lead_flow_calls_today:contains('3')",
        },
    ],
});

tours.add("lead_flow_dashboard_manager_tour", {
    url: "/odoo/action-lead_flow.action_lead_flow_dashboard_client",
    steps: () => [
        {
            content: "My counters: one call today",
            trigger: ".o_lead_flow_dashboard_calls_today:contains('1')",
        },
        {
            content: "The leads-per-day graph is drawn (Chart.js on its canvas)",
            trigger: ".o_lead_flow_dashboard_graph canvas[data-lead-flow-drawn]",
        },
        {
            content: "A manager sees the team's calls per operator",
            trigger: ".o_lead_flow_dashboard_team td:contains('Console Manager')",
        },
        {
            trigger: ".o_lead_flow_dashboard_recent a:contains('Console lead Cirrus')",
        },
    ],
});
