# DNS end-to-end tests of the real zonekeeper binary (see README.md beside this file). They use
# Debian's /usr/bin/python3 with python3-dnspython, nsd, dig and kdig (scripts/install-deps.sh test).
set(ZK_DNS_PYTHON /usr/bin/python3)
set(ZK_DNS_TESTS ${CMAKE_CURRENT_LIST_DIR})

# The same ~3,600 queries to NSD and zonekeeper; answers compared as sets; report in dns-report/.
add_test(NAME integration_dns_nsd_diff
         COMMAND ${ZK_DNS_PYTHON} ${ZK_DNS_TESTS}/nsd_diff.py --zonekeeper ${ZK_BIN}
                 --report-dir ${CMAKE_CURRENT_BINARY_DIR}/dns-report)
# Proves the comparison can fail: NSD vs NSD must match, NSD vs a one-record mutation must not.
add_test(NAME integration_dns_nsd_diff_selfcheck
         COMMAND ${ZK_DNS_PYTHON} ${ZK_DNS_TESTS}/nsd_diff.py --selfcheck --max-report 3)
# dig and kdig over UDP/TCP, kdig +keepopen, pipelining, AXFR.
add_test(NAME integration_dns_dig_kdig
         COMMAND ${ZK_DNS_PYTHON} ${ZK_DNS_TESTS}/dig_kdig.py --zonekeeper ${ZK_BIN})
# Random/malformed datagrams and hostile TCP clients; the server must stay up and correct.
add_test(NAME integration_dns_bad_input
         COMMAND ${ZK_DNS_PYTHON} ${ZK_DNS_TESTS}/bad_input.py --zonekeeper ${ZK_BIN})

set_tests_properties(integration_dns_nsd_diff integration_dns_nsd_diff_selfcheck
                     integration_dns_dig_kdig integration_dns_bad_input
                     PROPERTIES LABELS integration TIMEOUT 600)
