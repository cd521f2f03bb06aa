from . import test_log_note
from . import test_note_validation
from . import test_automation
from . import test_segmentation
from . import test_access
from . import test_settings
from . import test_note_wizard
from . import test_uninstall
