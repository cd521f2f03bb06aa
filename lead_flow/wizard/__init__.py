from . import lead_flow_note_wizard
