from . import models
from . import report
from . import wizard


def _uninstall_hook(env):
    """Drop the trigger function of the daily report totals (its triggers go with it)."""
    env.cr.execute("DROP FUNCTION IF EXISTS lead_flow_report_daily_apply() CASCADE")
