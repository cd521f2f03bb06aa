from . import portal
from . import portal_lead
from . import portal_buyer
