from . import calling_hours
from . import lead_timezone
from . import region_timezones
