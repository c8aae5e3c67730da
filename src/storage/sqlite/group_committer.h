// Group commit: one writer thread runs queued write jobs, each in its own savepoint, under one fsync'd
// COMMIT.
#pragma once

// Why: with synchronous=FULL every COMMIT costs an fsync (~0.35 ms on this machine's disk), which
// caps one-transaction-per-request at a few thousand writes per second. Callers instead enqueue a
// job and wait; the writer thread takes everything queued (up to max_group), opens ONE
// transaction, runs each job inside SAVEPOINT ... RELEASE (a job that fails rolls back only its
// savepoint and gets its own error), commits once, then wakes every waiter with the commit's
// outcome. While one group commits, the next one queues up, so the group size follows the load:
// one job when idle (no added latency), many under concurrency.
//
// Threading: thread-safe; the Database handed in is used only by the writer thread from then on.
// Jobs run on the writer thread and must not call back into the committer. A job may run more
// than once (if SQLite aborts the whole transaction because of another job, e.g. on SQLITE_FULL,
// the surviving jobs run again in a new transaction), so it must write its outputs by assignment.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "base/result.h"
#include "storage/sqlite/db.h"

namespace zk::storage {

class GroupCommitter {
 public:
  using Work = std::function<Status(Database&)>;
  // Called once with the job's outcome (as the future would yield it), on the writer thread right
  // after the commit, or on the submitting thread if the committer is shutting down. Must be quick
  // and must not call back into the committer (e.g. post the rest of the work elsewhere).
  using Done = std::function<void(Status)>;

  struct Options {
    size_t max_group = 1024;  // jobs per transaction at most
    // Gathering: when fewer jobs are queued than the previous group carried, wait up to this long
    // for the rest (the previous group's callers typically submit again at once) before opening the
    // transaction -- like PostgreSQL's commit_delay/commit_siblings. A lone caller never waits
    // (its previous group had one job). 0 disables.
    std::chrono::microseconds gather_wait{200};
  };
  struct Stats {
    uint64_t commits = 0;  // transactions committed (= fsyncs of the WAL)
    uint64_t jobs = 0;     // jobs run to completion (ok or not)
  };

  GroupCommitter(std::unique_ptr<Database> writer, Options options);
  // Runs what is queued, then stops the writer thread.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Enqueues `work`; the future yields ok once the work is committed and durable, or the work's
  // own error, or the commit's error. kUnavailable after shutdown began.
  std::future<Status> submit(Work work);
  // Enqueues `work` and returns at once; `done` receives what the future above would yield. No
  // thread waits for the commit: the writer thread itself hands the outcome on.
  void submit(Work work, Done done);
  // submit() and wait.
  Status run(Work work) { return submit(std::move(work)).get(); }

  Stats stats() const { return {commits_.load(), jobs_.load()}; }

 private:
  struct Job {
    Work work;
    Done done_callback;         // set: the outcome goes here...
    std::promise<Status> done;  // ...else to this promise
    void finish(Status st) {
      if (done_callback) {
        done_callback(std::move(st));
      } else {
        done.set_value(std::move(st));
      }
    }
  };
  void enqueue(std::unique_ptr<Job> job);
  void loop();
  void runGroup(std::vector<Job*>& group);

  std::unique_ptr<Database> db_;
  Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Job>> queue_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  size_t previous_group_ = 0;               // writer thread only
  size_t gather_target_ = SIZE_MAX;         // guarded by mu_; queue size the gathering writer waits for
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> jobs_{0};
  std::thread thread_;
};

}  // namespace zk::storage
