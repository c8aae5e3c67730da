# `serve --config FILE` end to end with the real binary (standard-library python3 only).
add_test(NAME integration_config_file
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/config_file.py --zonekeeper ${ZK_BIN})
set_tests_properties(integration_config_file PROPERTIES LABELS integration TIMEOUT 120)
