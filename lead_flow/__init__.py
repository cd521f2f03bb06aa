from . import lib
from . import models
from . import report
from . import wizard


def _uninstall_hook(env):
    """Drop the trigger function of the daily report totals (its triggers go with it) and
    Next lead's free-lead index (table, trigger, crm_lead fill factor) and the trigger that
    carries a lead's company to its entries and returns; then the lead time zone function
    that the free-lead index's trigger calls, and its region table."""
    env.cr.execute("DROP FUNCTION IF EXISTS lead_flow_report_daily_apply() CASCADE")
    models.queue_index.uninstall(env.cr)
    models.lead_company.uninstall(env.cr)
    lib.lead_timezone.uninstall(env.cr)
