from . import (
    test_access,
    test_automation,
    test_dashboard,
    test_log_note,
    test_note_validation,
    test_note_wizard,
    test_report,
    test_segmentation,
    test_settings,
    test_uninstall,
)
