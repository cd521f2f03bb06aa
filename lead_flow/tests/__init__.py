from . import (
    test_access,
    test_ai_classify,
    test_ai_classify_now,
    test_automation,
    test_log_note,
    test_note_validation,
    test_note_wizard,
    test_segmentation,
    test_settings,
    test_uninstall,
)
