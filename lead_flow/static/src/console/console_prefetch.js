/** @odoo-module **/
// The console's first screen without a chain of requests: when the console is what the web
// client opens first (its URL, or the operator's home action), its data is asked for as the
// web client starts, alongside the web client's own requests (menus, the action), instead
// of after them; the console takes that answer when it mounts (console.js).

import { router } from "@web/core/browser/router";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { session } from "@web/session";

const CONSOLE_XMLID = "lead_flow.action_lead_flow_console";

export function opensConsoleFirst(state, consoleId, homeActionId) {
    if (!consoleId || state.model || state.resId) {
        return false;
    }
    const action = state.action;
    if (!action) {
        return !state.actionStack?.length && homeActionId === consoleId;
    }
    return [CONSOLE_XMLID, "lead_flow_console", consoleId, String(consoleId)].includes(action);
}

export const leadFlowConsolePrefetchService = {
    dependencies: ["orm"],
    start(env, { orm }) {
        const consoleId = session.lead_flow_console_action_id;
        let pending = null;
        if (opensConsoleFirst(router.current, consoleId, user.homeActionId)) {
            // A refusal (not an operator) shows when the console asks again itself.
            pending = orm
                .silent.call("crm.lead", "lead_flow_console_data", [], { lead_id: false })
                .catch(() => null);
        }
        return {
            /** The data asked for at start (once), or null. */
            take() {
                const data = pending;
                pending = null;
                return data;
            },
        };
    },
};

registry.category("services").add("lead_flow_console_prefetch", leadFlowConsolePrefetchService);
