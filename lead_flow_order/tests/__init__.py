from . import test_billing
from . import test_distribute
from . import test_distribute_concurrency
from . import test_order_rules
from . import test_portal_orders
from . import test_tour_orders
