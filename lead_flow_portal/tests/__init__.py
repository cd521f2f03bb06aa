from . import test_security
from . import test_deliver
from . import test_buyer_users
from . import test_portal_pages
from . import test_portal_flows
from . import test_tour
