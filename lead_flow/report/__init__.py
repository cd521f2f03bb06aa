from . import lead_flow_report
from . import lead_flow_report_daily
from . import lead_flow_lead_day_report
from . import lead_flow_return_report
from . import lead_flow_lead_sheet
from . import lead_flow_report_handle
