// The group-commit writer thread.
#include "storage/sqlite/group_committer.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace zk::storage {

GroupCommitter::GroupCommitter(std::unique_ptr<Database> writer, Options options)
    : db_(std::move(writer)), options_(options) {
  if (options_.max_group == 0) options_.max_group = 1;
  thread_ = std::thread([this] { loop(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::future<Status> GroupCommitter::submit(Work work) {
  auto job = std::make_unique<Job>();
  job->work = std::move(work);
  std::future<Status> f = job->done.get_future();
  enqueue(std::move(job));
  return f;
}

void GroupCommitter::submit(Work work, Done done) {
  auto job = std::make_unique<Job>();
  job->work = std::move(work);
  job->done_callback = std::move(done);
  enqueue(std::move(job));
}

void GroupCommitter::enqueue(std::unique_ptr<Job> job) {
  bool wake;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!stopping_) queue_.push_back(std::move(job));
    // The writer only sleeps on an empty queue or while gathering up to previous_group_ jobs:
    // wake it for the first job, and when the group it gathers is complete. Any other notify
    // would be a futex call (and a context switch) for nothing.
    wake = queue_.size() == 1 || queue_.size() >= gather_target_;
  }
  if (job) {  // not queued: shutting down (finished outside the lock: it may run a callback)
    job->finish(unavailable("the store is shutting down"));
    return;
  }
  if (wake) cv_.notify_one();
}

void GroupCommitter::loop() {
  std::vector<std::unique_ptr<Job>> taken;
  std::vector<Job*> group;
  while (true) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      size_t want = std::min(previous_group_, options_.max_group);
      if (options_.gather_wait.count() > 0 && queue_.size() < want && !stopping_) {
        gather_target_ = want;
        auto deadline = std::chrono::steady_clock::now() + options_.gather_wait;
        cv_.wait_until(lk, deadline, [&] { return stopping_ || queue_.size() >= want; });
        gather_target_ = SIZE_MAX;
      }
      while (!queue_.empty() && taken.size() < options_.max_group) {
        taken.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    previous_group_ = taken.size();
    group.clear();
    for (auto& j : taken) group.push_back(j.get());
    runGroup(group);
    taken.clear();
  }
}

void GroupCommitter::runGroup(std::vector<Job*>& pending) {
  int attempts = 0;
  while (!pending.empty()) {
    Result<Transaction> tx = Transaction::begin(*db_, Transaction::Mode::kImmediate);
    if (!tx.ok()) {
      jobs_ += pending.size();
      for (Job* j : pending) j->finish(tx.status());
      return;
    }
    std::vector<Job*> succeeded;
    std::vector<Job*> retry;
    bool aborted = false;
    for (size_t k = 0; k < pending.size(); ++k) {
      Job* j = pending[k];
      Status st;
      {
        Result<Savepoint> sp = Savepoint::begin(*db_, "job");
        if (!sp.ok()) {
          st = sp.status();
        } else {
          st = j->work(*db_);
          if (st.isOk()) st = sp->release();
          // else: the savepoint's destructor rolls the job back.
        }
      }
      if (!db_->inTransaction()) {
        // SQLite abandoned the whole transaction (SQLITE_FULL, SQLITE_IOERR, ...): this job gets
        // the error; the jobs that had succeeded and those not yet run go again.
        ++jobs_;
        j->finish(st.isOk() ? internalError("transaction aborted by SQLite") : st);
        retry = std::move(succeeded);
        retry.insert(retry.end(), pending.begin() + long(k) + 1, pending.end());
        aborted = true;
        break;
      }
      if (st.isOk()) {
        succeeded.push_back(j);
      } else {
        ++jobs_;
        j->finish(std::move(st));
      }
    }
    if (aborted) {
      tx->rollback();
      pending = std::move(retry);
      if (++attempts > 8) {
        jobs_ += pending.size();
        for (Job* j : pending) j->finish(internalError("transaction aborted repeatedly"));
        return;
      }
      continue;
    }
    Status committed = tx->commit();
    if (committed.isOk()) ++commits_;
    jobs_ += succeeded.size();
    for (Job* j : succeeded) j->finish(committed);
    return;
  }
}

}  // namespace zk::storage
