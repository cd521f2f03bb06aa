from . import crm_tag
from . import lead_flow_log_type
from . import lead_flow_note_template
from . import lead_flow_log
from . import crm_lead
from . import crm_lead_queue
from . import crm_lead_demo
from . import res_config_settings
