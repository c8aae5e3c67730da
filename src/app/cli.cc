// Placeholder CLI; replaced as modules land.
#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace zk::app {
int runCli(int argc, char** argv) {
  CLI::App app{"zonekeeper: AWS-compatible DNS and certificate service"};
  app.require_subcommand(1);
  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([] { std::printf("zonekeeper 0.1.0\n"); });
  CLI11_PARSE(app, argc, argv);
  return 0;
}
}  // namespace zk::app
