# Real-client DNS-01 flows (lego --dns route53, certbot --dns-route53) against the real zonekeeper
# binary, with pebble resolving the challenge through zonekeeper's DNS. The flows live in the shared
# folder beside the clone (${PROJECT_SOURCE_DIR}/../shared/conformance); the test FAILS when it is
# missing. Needs root and the Debian packages of scripts/install-deps.sh test (see README.md here).
set(ZK_CONF_TESTS ${CMAKE_CURRENT_LIST_DIR})

# One test per client, each with its own server, pebble and TLS front on free ports/addresses.
add_test(NAME integration_conformance_lego_route53
         COMMAND /bin/bash ${ZK_CONF_TESTS}/dns01_flows.sh ${ZK_BIN} lego-route53)
add_test(NAME integration_conformance_certbot_dns_route53
         COMMAND /bin/bash ${ZK_CONF_TESTS}/dns01_flows.sh ${ZK_BIN} certbot-dns-route53)

set_tests_properties(integration_conformance_lego_route53 integration_conformance_certbot_dns_route53
                     PROPERTIES LABELS "integration;conformance" TIMEOUT 900)

# The same flows with a key holding only cert-manager's seed policy (ZK_CONF_POLICY=minimal; certbot's
# plugin also needs route53:ListHostedZones), and the expected failure: lego without
# route53:ChangeResourceRecordSets must fail with AccessDenied (ZK_CONF_POLICY=no-change).
add_test(NAME integration_conformance_lego_minimal_policy
         COMMAND /bin/bash ${ZK_CONF_TESTS}/dns01_flows.sh ${ZK_BIN} lego-route53)
add_test(NAME integration_conformance_certbot_minimal_policy
         COMMAND /bin/bash ${ZK_CONF_TESTS}/dns01_flows.sh ${ZK_BIN} certbot-dns-route53)
add_test(NAME integration_conformance_lego_no_change_denied
         COMMAND /bin/bash ${ZK_CONF_TESTS}/dns01_flows.sh ${ZK_BIN} lego-route53)
set_tests_properties(integration_conformance_lego_minimal_policy integration_conformance_certbot_minimal_policy
                     PROPERTIES LABELS "integration;conformance" TIMEOUT 900 ENVIRONMENT ZK_CONF_POLICY=minimal)
set_tests_properties(integration_conformance_lego_no_change_denied
                     PROPERTIES LABELS "integration;conformance" TIMEOUT 900 ENVIRONMENT ZK_CONF_POLICY=no-change)
