# Identity end-to-end tests: IAM policy decisions, aws CLI credential sources, STS across accounts, web
# identity against a test OIDC issuer over HTTPS, IMDSv2. Each test runs its own zonekeeper on free
# loopback ports. Clients from lib/clients.cmake: missing ones FAIL, never skip.
set(ZK_ID_TESTS ${CMAKE_CURRENT_LIST_DIR})
# the shared acceptance flows sit beside the clone; imds.py FAILS when the flow is missing
set(ZK_ID_IMDS_FLOW ${PROJECT_SOURCE_DIR}/../shared/conformance/flows/imds-credentials.sh)
# Debian's aws CLI v2 runs the env/file cases too when installed (it has no STS endpoint setting)
set(zk_id_aws_v2)
if(EXISTS /usr/bin/aws)
  set(zk_id_aws_v2 --aws-v2 /usr/bin/aws)
endif()

zk_client_test(integration_identity_policies
               ${ZK_PYTHON} ${ZK_ID_TESTS}/policies.py --zonekeeper ${ZK_BIN})
zk_client_test(integration_identity_awscli_sources
               ${ZK_PYTHON} ${ZK_ID_TESTS}/awscli_sources.py --zonekeeper ${ZK_BIN} --aws ${ZK_AWS_CLI}
               ${zk_id_aws_v2})
zk_client_test(integration_identity_cross_account
               ${ZK_PYTHON} ${ZK_ID_TESTS}/cross_account.py --zonekeeper ${ZK_BIN})
zk_client_test(integration_identity_web_identity
               ${ZK_PYTHON} ${ZK_ID_TESTS}/web_identity.py --zonekeeper ${ZK_BIN})
zk_client_test(integration_identity_imds
               ${ZK_PYTHON} ${ZK_ID_TESTS}/imds.py --zonekeeper ${ZK_BIN} --aws ${ZK_AWS_CLI}
               --flow ${ZK_ID_IMDS_FLOW})
set_tests_properties(integration_identity_policies integration_identity_awscli_sources
                     integration_identity_cross_account integration_identity_web_identity
                     integration_identity_imds
                     PROPERTIES LABELS integration TIMEOUT 180 ENVIRONMENT PYTHONDONTWRITEBYTECODE=1)
