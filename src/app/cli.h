// The zonekeeper command line: serve, zone import/export/list, check-zone, version, credentials.
#pragma once

namespace zk::app {
int runCli(int argc, char** argv);
}
