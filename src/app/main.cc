// zonekeeper entry point: sets the malloc tunable (re-exec once), then hands argv to the CLI in app/cli.cc.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "app/cli.h"

namespace {

// glibc's malloc reads GLIBC_TUNABLES only at process start. With glibc.malloc.hugetlb=1 it asks for
// transparent huge pages (madvise) on the heap it grows, so loading a 1M-record zone takes far
// fewer page faults: 2.73 s -> 1.70 s until the zone answers, same memory (zone-load.sh, 2026-11-25).
// https://www.gnu.org/software/libc/manual/html_node/Memory-Allocation-Tunables.html
// The process re-executes itself once with the tunable added (same pid); ZK_NO_MALLOC_TUNING=1, or a
// GLIBC_TUNABLES that already names the tunable, leaves the environment as it is.
void reexecWithMallocTunables(char** argv) {
  if (std::getenv("ZK_NO_MALLOC_TUNING") != nullptr) return;
  const char* current = std::getenv("GLIBC_TUNABLES");
  std::string tunables = current != nullptr ? current : "";
  if (tunables.find("glibc.malloc.hugetlb") != std::string::npos) return;
  tunables += tunables.empty() ? "" : ":";
  tunables += "glibc.malloc.hugetlb=1";
  if (::setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0) return;
  // Marks the attempt, so a glibc that ignores the tunable (and strips it) cannot loop.
  ::setenv("ZK_NO_MALLOC_TUNING", "1", 1);
  ::execv("/proc/self/exe", argv);
  // execv failed (no /proc): run on without the tunable.
}

}  // namespace

int main(int argc, char** argv) {
  reexecWithMallocTunables(argv);
  return zk::app::runCli(argc, argv);
}
