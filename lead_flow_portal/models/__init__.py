from . import res_partner
from . import res_users
from . import crm_lead
from . import crm_lead_portal
from . import lead_flow_log_type
from . import lead_sheet_report
