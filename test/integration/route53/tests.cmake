# Route 53 end-to-end tests: the real zonekeeper binary driven by the aws CLI (v1) and boto3, every change
# checked with dig against zonekeeper's DNS. They need a python3 with boto3 (the machine's pyenv one) and
# the aws CLI on PATH; see README.md beside this file.
execute_process(COMMAND python3 -c "import sys, boto3; print(sys.executable)"
                OUTPUT_VARIABLE ZK_R53_PYTHON OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE zk_r53_rc)
find_program(ZK_AWS_CLI aws)
set(ZK_R53_TESTS ${CMAKE_CURRENT_LIST_DIR})
if(zk_r53_rc EQUAL 0 AND ZK_R53_PYTHON AND ZK_AWS_CLI)
  add_test(NAME integration_route53_awscli
           COMMAND ${ZK_R53_PYTHON} ${ZK_R53_TESTS}/awscli_flow.py --zonekeeper ${ZK_BIN} --aws ${ZK_AWS_CLI})
  add_test(NAME integration_route53_boto3
           COMMAND ${ZK_R53_PYTHON} ${ZK_R53_TESTS}/boto3_flow.py --zonekeeper ${ZK_BIN})
  add_test(NAME integration_route53_kill9
           COMMAND ${ZK_R53_PYTHON} ${ZK_R53_TESTS}/kill9_durability.py --zonekeeper ${ZK_BIN} --rounds 3)
  set_tests_properties(integration_route53_awscli integration_route53_boto3 integration_route53_kill9
                       PROPERTIES LABELS integration TIMEOUT 300)
else()
  message(STATUS "Route 53 integration tests skipped: need python3 with boto3 and the aws CLI")
endif()
