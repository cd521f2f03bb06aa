from . import lead_flow_lead_day_report, lead_flow_report, lead_flow_report_daily
