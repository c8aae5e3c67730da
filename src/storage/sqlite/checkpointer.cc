// The background checkpoint thread and the writer's WAL hook that wakes it.
#include "storage/sqlite/checkpointer.h"

#include <sqlite3.h>

namespace zk::storage {

namespace {
// Runs on the writer thread after each commit, with the number of frames now in the WAL.
int walHook(void* arg, sqlite3* db, const char* schema, int wal_frames) {
  auto* self = static_cast<Checkpointer*>(arg);
  if (self->onCommit(wal_frames)) {
    // Checkpoint starvation: under sustained writes the background checkpoint never catches up
    // with the writer, and the WAL can only restart once every frame is copied. Copy them here,
    // while no write can be appended (SQLite's own auto-checkpoint also runs from this hook), after
    // the background pass in progress if any; RESTART waits (busy timeout) for readers still on
    // the old WAL, so the next write starts the WAL from its beginning.
    std::lock_guard<std::mutex> lk(self->checkpointMutex());
    (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  }
  return SQLITE_OK;
}
}  // namespace

Checkpointer::Checkpointer(std::unique_ptr<Database> db, int threshold_pages)
    : db_(std::move(db)),
      threshold_pages_(threshold_pages < 1 ? 1 : threshold_pages),
      next_request_frames_(threshold_pages_) {
  thread_ = std::thread([this] { loop(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Checkpointer::attachTo(Database& writer) { sqlite3_wal_hook(writer.raw(), &walHook, this); }

void Checkpointer::detachFrom(Database& writer) { sqlite3_wal_hook(writer.raw(), nullptr, nullptr); }

bool Checkpointer::onCommit(int wal_frames) {
  if (wal_frames >= threshold_pages_ * kInlineFactor) {
    ++inline_checkpoints_;
    next_request_frames_ = threshold_pages_;  // the inline RESTART starts the WAL over
    return true;
  }
  if (wal_frames < next_request_frames_ - threshold_pages_)
    next_request_frames_ = threshold_pages_;  // restarted
  if (wal_frames >= next_request_frames_) {
    // Once per threshold of new frames, not after every commit: under steady writes a PASSIVE
    // checkpoint never catches up with the writer (so the WAL does not restart), and asking after
    // each commit made the thread copy a few pages and fsync the database file every few commits.
    next_request_frames_ = wal_frames + threshold_pages_;
    request();
  }
  return false;
}

void Checkpointer::request() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (requested_) return;
    requested_ = true;
  }
  cv_.notify_one();
}

void Checkpointer::loop() {
  while (true) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stopping_ || requested_; });
      if (stopping_) return;
      requested_ = false;
    }
    // PASSIVE: copies what no reader still needs, without blocking the writer or readers. A busy
    // or partial checkpoint is simply retried after a later commit.
    int wal_frames = 0, copied = 0;
    std::lock_guard<std::mutex> ck(checkpoint_mu_);
    int rc = sqlite3_wal_checkpoint_v2(db_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied);
    if (rc == SQLITE_OK) ++checkpoints_;
  }
}

}  // namespace zk::storage
