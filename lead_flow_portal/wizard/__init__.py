from . import lead_flow_deliver_wizard
