# Route 53 end-to-end tests: the real zonekeeper binary driven by the aws CLI and boto3, every change
# checked with dig against zonekeeper's DNS. Clients from lib/clients.cmake: missing ones FAIL.
set(ZK_R53_TESTS ${CMAKE_CURRENT_LIST_DIR})
zk_client_test(integration_route53_awscli
               ${ZK_PYTHON} ${ZK_R53_TESTS}/awscli_flow.py --zonekeeper ${ZK_BIN} --aws ${ZK_AWS_CLI})
zk_client_test(integration_route53_boto3 ${ZK_PYTHON} ${ZK_R53_TESTS}/boto3_flow.py --zonekeeper ${ZK_BIN})
zk_client_test(integration_route53_kill9
               ${ZK_PYTHON} ${ZK_R53_TESTS}/kill9_durability.py --zonekeeper ${ZK_BIN} --rounds 3)
set_tests_properties(integration_route53_awscli integration_route53_boto3 integration_route53_kill9
                     PROPERTIES LABELS integration TIMEOUT 300)
