from . import lead_flow_order
from . import lead_flow_order_billing
from . import lead_flow_delivery
from . import crm_lead
from . import crm_lead_distribute
from . import lead_flow_return
from . import account_move
