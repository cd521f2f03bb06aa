/** @odoo-module **/
// The operator console: work the queue from one screen, from the keyboard. One RPC per
// lead: crm.lead.lead_flow_log_and_next logs the note (and its callback), claims the next
// lead and returns what this screen shows of it (see models/crm_lead_console.py).

import { Component, onMounted, onPatched, onWillStart, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { serializeDateTime, formatDateTime, deserializeDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const { DateTime } = luxon;

// Outcome shortcuts (Alt+letter), shown on their buttons.
const OUTCOME_KEYS = { positive: "p", partial: "a", negative: "x" };

export function callbackPresets(now = DateTime.local()) {
    const tomorrow = now.plus({ days: 1 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    const monday = now
        .plus({ weeks: 1 })
        .startOf("week")
        .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
    return [
        { key: "h", label: _t("In 1 hour"), value: now.plus({ hours: 1 }).startOf("minute") },
        { key: "t", label: _t("Tomorrow 9:00"), value: tomorrow },
        { key: "w", label: _t("Next week"), value: monday },
    ];
}

export class LeadFlowConsole extends Component {
    static template = "lead_flow.Console";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.action = useService("action");
        this.ui = useService("ui");
        this.noteRef = useRef("note");
        this.outcomeKeys = OUTCOME_KEYS;
        this.state = useState({
            data: null,
            busy: false,
            body: "",
            templateId: false,
            outcome: false,
            close: false,
            callbackOpen: false,
            callbackAt: null, // luxon DateTime (local)
            callbackPersonal: true,
            queueId: false,
        });
        this.prefetch = useService("lead_flow_console_prefetch");
        onWillStart(async () => {
            const context = this.props.action?.context || {};
            const leadId = context.active_model === "crm.lead" ? context.active_id : false;
            // Asked for while the web client started, when the console opened first.
            const prefetched = await this.prefetch.take();
            this.load(
                (!leadId && prefetched) ||
                    (await this.call("lead_flow_console_data", [], { lead_id: leadId || false }))
            );
        });
        onMounted(() => this.focusNote());
        // A new lead renders a new note box: focus it once it is in the DOM.
        onPatched(() => {
            if (this.focusPending) {
                this.focusPending = false;
                this.focusNote();
            }
        });
    }

    // ------------------------------------------------------------------
    // Data
    // ------------------------------------------------------------------
    get lead() {
        return this.state.data?.lead;
    }

    get templates() {
        return this.state.data?.templates || [];
    }

    get callbackPresets() {
        return callbackPresets();
    }

    /** Show ``data``; an answer without the setup (predefined notes, queues...: same
     * company as before) keeps the one held. */
    load(data) {
        this.focusPending = true;
        this.state.data = { ...this.state.data, ...data };
        this.state.queueId = data.queue_id || false;
        this.resetNote();
    }

    resetNote() {
        Object.assign(this.state, {
            body: "",
            templateId: false,
            outcome: false,
            close: false,
            callbackOpen: false,
            callbackAt: null,
            callbackPersonal: true,
        });
    }

    async call(method, args, kwargs = {}) {
        return this.orm.call("crm.lead", method, args, kwargs);
    }

    /** Next lead and Log & next: the setup is only sent again for another company. */
    async callNext(method, args, kwargs = {}) {
        return this.call(method, args, {
            ...kwargs,
            queue_id: this.state.queueId,
            setup_company_id: this.state.data?.setup_company_id || false,
        });
    }

    /** Run ``fn`` once at a time; errors in the user's words become notifications. */
    async run(fn) {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            await fn();
        } catch (error) {
            const message = error?.data?.message;
            if (!message) {
                throw error;
            }
            this.notification.add(message, { type: "danger" });
        } finally {
            this.focusPending = true;
            this.state.busy = false;
            this.focusNote();
        }
    }

    focusNote() {
        const el = this.noteRef.el;
        if (el && document.activeElement !== el) {
            el.focus();
        }
    }

    formatDate(value) {
        return value ? formatDateTime(deserializeDateTime(value)) : "";
    }

    /** Odoo's phone widget link: the number without its spaces. */
    telHref(number) {
        return "tel:" + number.replace(/\s+/g, "");
    }

    /** Odoo's phone widget SMS button (sms installed): its composer, on this lead. */
    sendSms(field) {
        this.action.doAction({
            type: "ir.actions.act_window",
            target: "new",
            name: _t("Send SMS"),
            res_model: "sms.composer",
            views: [[false, "form"]],
            context: {
                ...user.context,
                default_res_model: "crm.lead",
                default_res_id: this.lead.id,
                default_number_field_name: field,
                default_composition_mode: "comment",
            },
        });
    }

    tagStyle(tag) {
        return `o_tag o_badge badge rounded-pill o_tag_color_${tag.color || 0}`;
    }

    // ------------------------------------------------------------------
    // Note
    // ------------------------------------------------------------------
    pickTemplate(template) {
        const previous = this.templates.find((t) => t.id === this.state.templateId);
        if (this.state.templateId === template.id) {
            this.state.templateId = false;
            if (previous && this.state.body === previous.body) {
                this.state.body = "";
            }
            return this.focusNote();
        }
        if (!this.state.body.trim() || (previous && this.state.body === previous.body)) {
            this.state.body = template.body;
        }
        this.state.templateId = template.id;
        this.state.outcome = template.outcome || false;
        this.state.close = template.closes_lead;
        if (template.closes_lead) {
            this.state.callbackAt = null;
            this.state.callbackOpen = false;
        } else if (template.callback_delay_hours) {
            this.state.callbackAt = DateTime.local()
                .plus({ minutes: Math.round(template.callback_delay_hours * 60) })
                .startOf("minute");
            this.state.callbackOpen = true;
        }
        this.focusNote();
    }

    setOutcome(outcome) {
        this.state.outcome = this.state.outcome === outcome ? false : outcome;
        this.focusNote();
    }

    toggleComplete() {
        this.state.close = !this.state.close;
        if (this.state.close) {
            this.state.callbackAt = null;
            this.state.callbackOpen = false;
        }
        this.focusNote();
    }

    toggleCallback() {
        this.state.callbackOpen = !this.state.callbackOpen;
        if (!this.state.callbackOpen) {
            this.state.callbackAt = null;
        }
        this.focusNote();
    }

    setCallback(value) {
        this.state.callbackOpen = true;
        this.state.callbackAt = value;
        this.state.close = false;
        this.focusNote();
    }

    get callbackInputValue() {
        return this.state.callbackAt ? this.state.callbackAt.toFormat("yyyy-LL-dd'T'HH:mm") : "";
    }

    onCallbackInput(ev) {
        const value = ev.target.value;
        this.state.callbackAt = value ? DateTime.fromISO(value) : null;
        this.state.close = false;
    }

    // ------------------------------------------------------------------
    // Actions
    // ------------------------------------------------------------------
    logAndNext() {
        if (!this.lead) {
            return this.next();
        }
        return this.run(async () => {
            const data = await this.callNext(
                "lead_flow_log_and_next",
                [this.lead.id, this.state.body],
                {
                    template_id: this.state.templateId,
                    outcome: this.state.outcome,
                    close: this.state.close,
                    callback_at: this.state.callbackAt
                        ? serializeDateTime(this.state.callbackAt)
                        : false,
                    callback_personal: this.state.callbackPersonal,
                }
            );
            this.load(data);
            if (!data.lead) {
                this.notification.add(_t("There is no free lead left in your queue."), {
                    type: "info",
                });
            }
        });
    }

    next() {
        return this.run(async () => {
            const data = await this.callNext("lead_flow_console_next", []);
            this.load(data);
            if (!data.lead) {
                this.notification.add(_t("There is no free lead left in your queue."), {
                    type: "info",
                });
            }
        });
    }

    /** Skip and Do not call take their reason from the note box, then go on. */
    routing(method) {
        if (!this.lead) {
            return;
        }
        const reason = this.state.body.trim();
        if (!reason) {
            this.notification.add(_t("Write the reason in the note box first."), {
                type: "warning",
            });
            return this.focusNote();
        }
        return this.run(async () => {
            await this.call(method, [[this.lead.id], reason]);
            const data = await this.callNext("lead_flow_console_next", []);
            this.load(data);
        });
    }

    skip() {
        return this.routing("lead_flow_skip");
    }

    doNotCall() {
        return this.routing("lead_flow_do_not_call");
    }

    onQueueChange(ev) {
        this.state.queueId = parseInt(ev.target.value) || false;
        this.focusNote();
    }

    openLead() {
        if (this.lead) {
            this.action.doAction({
                type: "ir.actions.act_window",
                res_model: "crm.lead",
                res_id: this.lead.id,
                views: [[false, "form"]],
            });
        }
    }

    // ------------------------------------------------------------------
    // Keyboard: Ctrl+Enter log & next; Alt+1..9 predefined notes; Alt+letter the rest
    // ------------------------------------------------------------------
    onKeydown(ev) {
        if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
            this.stop(ev);
            return this.logAndNext();
        }
        if (!ev.altKey || ev.ctrlKey || ev.metaKey) {
            return;
        }
        const code = ev.code || "";
        let key = (ev.key || "").toLowerCase();
        if (code.startsWith("Key")) {
            key = code.slice(3).toLowerCase();
        } else if (code.startsWith("Digit")) {
            key = code.slice(5);
        }
        if (/^[1-9]$/.test(key)) {
            const template = this.templates[parseInt(key) - 1];
            if (template) {
                this.stop(ev);
                this.pickTemplate(template);
            }
            return;
        }
        const outcome = Object.keys(OUTCOME_KEYS).find((o) => OUTCOME_KEYS[o] === key);
        const preset = this.callbackPresets.find((p) => p.key === key);
        const handlers = {
            c: () => this.toggleComplete(),
            b: () => this.toggleCallback(),
            s: () => this.skip(),
            d: () => this.doNotCall(),
            o: () => this.openLead(),
        };
        if (outcome) {
            this.stop(ev);
            this.setOutcome(outcome);
        } else if (preset) {
            this.stop(ev);
            this.setCallback(preset.value);
        } else if (handlers[key]) {
            this.stop(ev);
            handlers[key]();
        }
    }

    stop(ev) {
        ev.preventDefault();
        ev.stopPropagation();
    }
}

registry.category("actions").add("lead_flow_console", LeadFlowConsole);
