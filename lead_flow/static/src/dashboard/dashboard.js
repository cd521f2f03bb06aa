/** @odoo-module **/
// The Lead Flow dashboard as a client action: my counters, callbacks, appointments and
// the most recent leads, the leads received per day (this month against the previous
// one, drawn with Odoo's Chart.js) and, for team leaders and managers, the team today.

import { Component, onMounted, onWillStart, onWillUnmount, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

export class LeadFlowDashboard extends Component {
    static template = "lead_flow.Dashboard";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.canvasRef = useRef("canvas");
        this.state = useState({ data: null });
        onWillStart(async () => {
            const [data] = await Promise.all([
                this.orm.call("lead.flow.dashboard", "lead_flow_dashboard_data", []),
                loadBundle("web.chartjs_lib"),
            ]);
            this.state.data = data;
        });
        onMounted(() => this.renderChart());
        onWillUnmount(() => this.chart?.destroy());
    }

    renderChart() {
        const perDay = this.state.data.per_day;
        const labels = Array.from({ length: 31 }, (_, i) => String(i + 1));
        this.chart = new Chart(this.canvasRef.el, {
            type: "bar",
            data: {
                labels,
                datasets: [
                    {
                        label: _t("This month"),
                        data: perDay.current,
                        backgroundColor: "#1f77b4",
                    },
                    {
                        label: _t("Previous month"),
                        data: perDay.previous,
                        backgroundColor: "#ff7f0e",
                    },
                ],
            },
            options: {
                maintainAspectRatio: false,
                animation: false,
                scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
            },
        });
        this.canvasRef.el.dataset.leadFlowDrawn = "1";
    }

    formatDate(value) {
        return value ? formatDateTime(deserializeDateTime(value)) : "";
    }

    openLead(id) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "crm.lead",
            res_id: id,
            views: [[false, "form"]],
        });
    }

    openCounter(method) {
        this.orm
            .call("lead.flow.dashboard", method, [[this.state.data.user_id]])
            .then((action) => this.action.doAction(action));
    }

    openConsole() {
        this.action.doAction("lead_flow.action_lead_flow_console");
    }

    openLeadsPerDay() {
        this.action.doAction("lead_flow.action_lead_flow_lead_day_report");
    }
}

registry.category("actions").add("lead_flow_dashboard", LeadFlowDashboard);
