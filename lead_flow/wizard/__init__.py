from . import lead_flow_note_wizard
from . import lead_flow_reassign_wizard
from . import lead_flow_log_activity_wizard
from . import lead_flow_return_wizard
from . import lead_flow_appointment_wizard
from . import lead_flow_skip_wizard
