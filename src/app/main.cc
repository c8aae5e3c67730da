// zonekeeper entry point: hands argv to the CLI in app/cli.cc.
#include "app/cli.h"

int main(int argc, char** argv) { return zk::app::runCli(argc, argv); }
