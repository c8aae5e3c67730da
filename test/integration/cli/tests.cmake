# The `zonekeeper zone ...` commands against a real data folder and a real server (standard-library python3 only).
add_test(NAME integration_cli_zone_import_signal
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/zone_import_signal.py --zonekeeper ${ZK_BIN})
set_tests_properties(integration_cli_zone_import_signal PROPERTIES LABELS integration TIMEOUT 120)
