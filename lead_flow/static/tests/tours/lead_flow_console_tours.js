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
                // Where the time went: the page and the web client, then the action's own
                // requests (the action, the console's data), in ms after navigation.
                const nav = performance.getEntriesByType("navigation")[0];
                const requests = performance
                    .getEntriesByType("resource")
                    .map((r) => [r, r.name.split("/web/").pop()])
                    .filter(([, name]) => name.startsWith("action/load") || name.includes("crm.lead/"))
                    .map(([r, name]) => `${name} ${Math.round(r.startTime)}-${Math.round(r.responseEnd)}`);
                console.info(
                    `lead_flow console first paint: ${ms} ms after navigation` +
                        ` (page loaded ${Math.round(nav?.loadEventEnd || 0)} ms;` +
                        ` ${requests.join("; ") || "no request of its own"})`
                );
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
            content: "As Odoo's phone widget: a tel: link without spaces, an SMS button (sms)",
            trigger: ".o_lead_flow_console_phone[href='tel:+15550100']",
        },
        {
            trigger: ".o_lead_flow_console_sms[data-field=phone]:contains('SMS')",
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

tours.add("lead_flow_console_home_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "At login the console is the operator's home, on the lead in hand",
            trigger: ".o_lead_flow_console .o_lead_flow_console_name:contains('Console lead Aurora')",
            run() {
                // First paint of the lead: after navigation, and after the web client asked
                // for the action (the moment the console was opened).
                const ms = performance.now();
                const requests = performance
                    .getEntriesByType("resource")
                    .map((r) => [r, r.name.split("/web/").pop()])
                    .filter(([, name]) => name.startsWith("action/load") || name.includes("crm.lead/"));
                const opened = requests.find(([, name]) => name.startsWith("action/load"));
                const since = opened ? Math.round(ms - opened[0].startTime) : "?";
                const list = requests.map(
                    ([r, name]) => `${name} ${Math.round(r.startTime)}-${Math.round(r.responseEnd)}`
                );
                console.info(
                    `lead_flow console first lead: ${Math.round(ms)} ms after navigation,` +
                        ` ${since} ms after the action was opened (${list.join("; ")})`
                );
            },
        },
        {
            content: "The note box is ready for the call",
            trigger: ".o_lead_flow_console_note:focus",
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
