// Background WAL checkpoints, so copying the WAL into the database never stalls a commit.
#pragma once

// SQLite's default auto-checkpoint runs inside the COMMIT that crosses 1000 WAL pages: that commit
// (and every write queued behind it) then waits for the pages to be copied and the database file
// fsync'd. Instead the writer's WAL hook only signals this thread, which runs PASSIVE checkpoints
// on its own connection while the writer keeps appending
// (https://www.sqlite.org/wal.html#application_initiated_checkpoints). If the writer outruns it
// (the WAL reaches kInlineFactor x the threshold), the writer checkpoints inline once, so the WAL
// stays bounded (https://www.sqlite.org/wal.html#avoiding_excessively_large_wal_files).
//
// Threading: request() is thread-safe and never blocks; the connection is used only by the
// checkpoint thread. attachTo() must be called before the writer is used by another thread, and
// the writer must be closed (or detached) before this object is destroyed.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/sqlite/db.h"

namespace zk::storage {

class Checkpointer {
 public:
  // `db` is a dedicated connection to the same file; a checkpoint runs once the WAL holds at least
  // `threshold_pages` pages.
  Checkpointer(std::unique_ptr<Database> db, int threshold_pages);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Replaces the writer's auto-checkpoint with a hook that calls request().
  void attachTo(Database& writer);
  static void detachFrom(Database& writer);
  // Called by the hook after each commit (writer thread only): requests a background checkpoint
  // when the WAL reaches the threshold, and again each time it has grown by another threshold
  // (not after every commit: see checkpointer.cc); returns true when it has grown to kInlineFactor times that
  // (the background thread cannot keep up), and the writer should checkpoint itself before the next write.
  bool onCommit(int wal_frames);
  static constexpr int kInlineFactor = 8;
  // Requests a checkpoint now (coalesced with one already pending).
  void request();

  // Held while a checkpoint runs (background or inline), so the two never contend.
  std::mutex& checkpointMutex() { return checkpoint_mu_; }

  uint64_t checkpoints() const { return checkpoints_.load(); }
  uint64_t inlineCheckpoints() const { return inline_checkpoints_.load(); }

 private:
  void loop();

  std::unique_ptr<Database> db_;
  int threshold_pages_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::mutex checkpoint_mu_;
  int next_request_frames_ = 0;  // writer thread only (onCommit): WAL size of the next request
  bool requested_ = false;       // guarded by mu_
  bool stopping_ = false;        // guarded by mu_
  std::atomic<uint64_t> checkpoints_{0};
  std::atomic<uint64_t> inline_checkpoints_{0};
  std::thread thread_;
};

}  // namespace zk::storage
