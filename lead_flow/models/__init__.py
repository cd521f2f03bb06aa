from . import (
    crm_lead,
    crm_lead_demo,
    crm_tag,
    lead_flow_log,
    lead_flow_log_ai,
    lead_flow_log_type,
    lead_flow_note_template,
    res_config_settings,
)
