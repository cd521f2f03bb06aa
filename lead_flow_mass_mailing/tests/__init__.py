from . import test_queue_mailing_lists
