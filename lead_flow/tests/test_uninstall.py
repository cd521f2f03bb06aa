"""Install / uninstall round trip, run by tools/test.sh with Odoo's standalone runner
(module operations are forbidden inside regular test cases)."""

from odoo.tests import standalone


def _lead_flow_tables(env):
    env.cr.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_name LIKE 'lead_flow%%' ORDER BY table_name"
    )
    return [row[0] for row in env.cr.fetchall()]


def _lead_columns(env):
    env.cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = 'crm_lead' AND column_name LIKE 'lead_flow%%'"
    )
    return [row[0] for row in env.cr.fetchall()]


def _report_trigger_function(env):
    env.cr.execute("SELECT count(*) FROM pg_proc WHERE proname = 'lead_flow_report_daily_apply'")
    return env.cr.fetchone()[0]


def _queue_index_sync(env):
    """Next lead's trigger on crm_lead and crm_lead's fill factor (see models/queue_index)."""
    env.cr.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'lead_flow_queue_index_sync%'"
    )
    triggers = env.cr.fetchone()[0]
    env.cr.execute("SELECT reloptions FROM pg_class WHERE relname = 'crm_lead'")
    return triggers, env.cr.fetchone()[0]


def _lead_tz_function(env):
    """The lead time zone function of calling hours (lib/lead_timezone)."""
    env.cr.execute("SELECT count(*) FROM pg_proc WHERE proname = 'lead_flow_lead_tz'")
    return env.cr.fetchone()[0]


@standalone("lead_flow")
def lead_flow_uninstall_round_trip(env):
    module = env["ir.module.module"].search([("name", "=", "lead_flow")])
    assert module.state == "installed", module.state
    assert "lead_flow_log" in _lead_flow_tables(env)

    module.button_immediate_uninstall()
    env.invalidate_all()
    assert module.state == "uninstalled", module.state
    assert _lead_flow_tables(env) == [], _lead_flow_tables(env)
    assert _lead_columns(env) == [], _lead_columns(env)
    assert _report_trigger_function(env) == 0, "the report's trigger function is left behind"
    assert _queue_index_sync(env) == (0, None), _queue_index_sync(env)
    assert _lead_tz_function(env) == 0, "the lead time zone function is left behind"
    assert not env["ir.model"].search([("model", "like", "lead.flow")])
    assert not env["res.groups"].search(
        [("name", "=", "Operator"), ("category_id.name", "=", "Lead Flow")]
    )

    module.button_immediate_install()
    env.invalidate_all()
    assert module.state == "installed", module.state
    assert "lead_flow_log" in _lead_flow_tables(env)
    assert "lead_flow_state" in _lead_columns(env)
    assert _report_trigger_function(env) == 1
    assert _lead_tz_function(env) == 1
    assert _queue_index_sync(env) == (2, ["fillfactor=90"]), _queue_index_sync(env)
