#include "chain/evm/receipt_watcher.hpp"

// GCC 12 misreports Asio's coroutine frame allocator as a mismatched new/delete.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace x402::chain::evm {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// One waiting coroutine. `timer` lives in that coroutine's frame and is only touched on its
// executor (or under `mutex` to learn whether it still exists).
struct ReceiptWatcher::Waiter {
  Bytes32 hash;
  asio::any_io_executor executor;
  std::mutex mutex;
  asio::steady_timer* timer = nullptr;  // null once the coroutine stopped waiting
  std::optional<RpcResult<Receipt>> result;
};

// One pending hash and who waits for it.
struct ReceiptWatcher::Entry {
  std::vector<std::shared_ptr<Waiter>> waiters;
  Clock::time_point registered;
  bool checked = false;             // looked up at least once
  std::uint64_t checked_block = 0;  // the block number known before the last look-up
};

struct ReceiptWatcher::State {
  explicit State(const asio::any_io_executor& executor) : timer(executor) {}

  mutable std::mutex mutex;
  std::map<Bytes32, Entry> pending;
  bool running = false;  // the loop coroutine exists
  bool stopped = false;
  // While the loop sleeps: when it wakes up (a new hash due earlier posts a wake-up).
  Clock::time_point sleep_until = Clock::time_point::min();
  bool wake_posted = false;
  std::optional<std::uint64_t> last_block;
  Clock::time_point next_tick = Clock::time_point::min();
  Clock::time_point next_fallback = Clock::time_point::min();
  std::optional<RpcError> last_error;  // the last round trip's transport failure, for timeout messages
  ReceiptWatcherStats stats;

  asio::steady_timer timer;  // the loop's; only touched on the watcher's executor
};

namespace {

RpcError stopped_error() {
  RpcError e;
  e.kind = RpcErrorKind::transport;
  e.message = "receipt watcher stopped";
  return e;
}

bool retryable(const RpcError& error) {
  return error.kind == RpcErrorKind::transport || error.kind == RpcErrorKind::timeout;
}

}  // namespace

ReceiptWatcher::ReceiptWatcher(asio::any_io_executor executor, RpcClient rpc, ReceiptWatcherOptions options)
    : executor_(std::move(executor)),
      rpc_(std::move(rpc)),
      options_(options),
      state_(std::make_unique<State>(executor_)) {
  if (options_.block_poll <= std::chrono::milliseconds(0))
    options_.block_poll = std::chrono::milliseconds(50);
  if (options_.first_check < std::chrono::milliseconds(0))
    options_.first_check = std::chrono::milliseconds(0);
  if (options_.fallback_poll < options_.block_poll) options_.fallback_poll = options_.block_poll;
}

ReceiptWatcher::~ReceiptWatcher() = default;

std::shared_ptr<ReceiptWatcher> ReceiptWatcher::create(asio::any_io_executor executor, RpcClient rpc,
                                                       ReceiptWatcherOptions options) {
  return std::shared_ptr<ReceiptWatcher>(new ReceiptWatcher(std::move(executor), std::move(rpc), options));
}

// Hands `result` to a waiter that still waits, and wakes it on its own executor.
void ReceiptWatcher::deliver(const std::shared_ptr<Waiter>& waiter, RpcResult<Receipt> result) {
  std::lock_guard lock(waiter->mutex);
  if (waiter->result || waiter->timer == nullptr) return;
  waiter->result = std::move(result);
  // The timer belongs to the waiter's executor: expire it there. expires_at() also covers a wait
  // that has not started yet (it then completes at once).
  asio::post(waiter->executor, [waiter] {
    std::lock_guard inner(waiter->mutex);
    if (waiter->timer != nullptr) waiter->timer->expires_at(Clock::time_point::min());
  });
}

void ReceiptWatcher::add(const std::shared_ptr<Waiter>& waiter) {
  bool stopped = false, spawn = false, wake = false;
  {
    std::lock_guard lock(state_->mutex);
    stopped = state_->stopped;
    if (!stopped) {
      const auto now = Clock::now();
      auto [it, inserted] = state_->pending.try_emplace(waiter->hash);
      if (inserted) it->second.registered = now;
      it->second.waiters.push_back(waiter);
      ++state_->stats.pending;
      if (!state_->running) {
        // A fresh loop: its first block-number poll is one interval away; the new hash gets
        // its first look-up after `first_check`.
        state_->running = true;
        state_->next_tick = now + options_.block_poll;
        spawn = true;
      } else if (!it->second.checked && !state_->wake_posted &&
                 state_->sleep_until > now + options_.first_check) {
        state_->wake_posted = true;
        wake = true;
      }
    }
  }
  if (stopped) {
    deliver(waiter, stopped_error());
    return;
  }
  if (!spawn && !wake) return;
  auto self = shared_from_this();
  if (spawn) asio::co_spawn(executor_, loop(self), asio::detached);
  if (wake) asio::post(executor_, [self] { self->state_->timer.cancel(); });
}

void ReceiptWatcher::remove(const std::shared_ptr<Waiter>& waiter) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->pending.find(waiter->hash);
  if (it == state_->pending.end()) return;
  auto& waiters = it->second.waiters;
  auto found = std::find(waiters.begin(), waiters.end(), waiter);
  if (found == waiters.end()) return;
  waiters.erase(found);
  --state_->stats.pending;
  if (waiters.empty()) state_->pending.erase(it);
}

asio::awaitable<RpcResult<Receipt>> ReceiptWatcher::wait(Bytes32 hash, std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  timer.expires_after(timeout);
  auto waiter = std::make_shared<Waiter>();
  waiter->hash = hash;
  waiter->executor = executor;
  waiter->timer = &timer;
  // However the wait ends (answer, deadline, or the frame destroyed with its io_context), the
  // watcher forgets the timer before it goes away.
  struct Leave {
    std::shared_ptr<ReceiptWatcher> watcher;
    std::shared_ptr<Waiter> waiter;
    ~Leave() {
      {
        std::lock_guard lock(waiter->mutex);
        waiter->timer = nullptr;
      }
      watcher->remove(waiter);
    }
  } leave{shared_from_this(), waiter};
  add(waiter);

  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  std::optional<RpcResult<Receipt>> result;
  {
    std::lock_guard lock(waiter->mutex);
    waiter->timer = nullptr;
    result = std::move(waiter->result);
  }
  if (result) co_return std::move(*result);
  RpcError e;
  e.kind = RpcErrorKind::timeout;
  e.message = "no receipt for " + hash.hex() + " within " + std::to_string(timeout.count()) + " ms";
  {
    std::lock_guard lock(state_->mutex);
    if (state_->last_error) e.message += " (last error: " + state_->last_error->message + ")";
  }
  co_return e;
}

void ReceiptWatcher::stop() {
  std::vector<std::shared_ptr<Waiter>> waiters;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopped) return;
    state_->stopped = true;
    for (auto& [hash, entry] : state_->pending)
      for (auto& waiter : entry.waiters) waiters.push_back(waiter);
    state_->pending.clear();
    state_->stats.pending = 0;
  }
  for (const auto& waiter : waiters) deliver(waiter, stopped_error());
  asio::post(executor_, [self = shared_from_this()] { self->state_->timer.cancel(); });
}

ReceiptWatcherStats ReceiptWatcher::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

asio::awaitable<void> ReceiptWatcher::loop(std::shared_ptr<ReceiptWatcher> self) {
  State& s = *self->state_;
  const ReceiptWatcherOptions& options = self->options_;
  for (;;) {
    // What is due now: a block-number tick, and new hashes waiting for their first look-up.
    auto now = Clock::now();
    bool tick = false;
    bool any_fresh = false;
    auto wake_at = Clock::time_point::max();
    {
      std::lock_guard lock(s.mutex);
      if (s.stopped || s.pending.empty()) {
        s.running = false;
        co_return;
      }
      tick = now >= s.next_tick;
      for (const auto& [hash, entry] : s.pending) {
        if (entry.checked) continue;
        const auto due = entry.registered + options.first_check;
        if (due <= now)
          any_fresh = true;
        else
          wake_at = std::min(wake_at, due);
      }
      if (!tick && !any_fresh) {
        wake_at = std::min(wake_at, s.next_tick);
        s.sleep_until = wake_at;
        s.wake_posted = false;
      }
    }
    if (!tick && !any_fresh) {
      s.timer.expires_at(wake_at);
      boost::system::error_code ec;
      co_await s.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      std::lock_guard lock(s.mutex);
      s.sleep_until = Clock::time_point::min();
      s.wake_posted = false;
      continue;
    }

    std::optional<std::uint64_t> block;
    bool fallback = false;
    if (tick) {
      {
        std::lock_guard lock(s.mutex);
        s.next_tick = now + options.block_poll;
      }
      auto number = co_await self->rpc_.block_number();
      now = Clock::now();
      std::lock_guard lock(s.mutex);
      ++s.stats.block_polls;
      if (number) {
        block = *number;
        s.last_block = *number;
        s.last_error.reset();
      } else if (retryable(number.error())) {
        s.last_error = number.take_error();
      }
      if (now >= s.next_fallback) {
        fallback = true;
        s.next_fallback = now + options.fallback_poll;
      }
    }

    // The hashes to look up (none before `first_check` has passed since it arrived): new ones;
    // on a tick also every one not looked up since the block number advanced (all of them on a
    // fallback tick).
    std::vector<Bytes32> targets;
    std::uint64_t known_block = 0;
    {
      std::lock_guard lock(s.mutex);
      known_block = s.last_block.value_or(0);
      for (const auto& [hash, entry] : s.pending) {
        if (entry.registered + options.first_check > now) continue;
        const bool block_due = block && entry.checked_block < *block;
        if (!entry.checked || block_due || fallback) targets.push_back(hash);
      }
    }
    if (targets.empty()) continue;

    std::vector<RawCall> calls;
    calls.reserve(targets.size());
    for (const auto& hash : targets) calls.push_back(requests::get_transaction_receipt(hash));
    auto answers = co_await self->rpc_.batch(std::move(calls));

    // Settle the answered hashes under the lock, wake their waiters outside it.
    std::vector<std::pair<std::vector<std::shared_ptr<Waiter>>, RpcResult<Receipt>>> done;
    {
      std::lock_guard lock(s.mutex);
      ++s.stats.receipt_batches;
      s.stats.receipt_lookups += targets.size();
      const auto finish = [&](const Bytes32& hash, RpcResult<Receipt> result) {
        auto it = s.pending.find(hash);
        if (it == s.pending.end()) return;
        s.stats.pending -= it->second.waiters.size();
        done.emplace_back(std::move(it->second.waiters), std::move(result));
        s.pending.erase(it);
      };
      const auto unanswered = [&](const Bytes32& hash) {
        auto it = s.pending.find(hash);
        if (it == s.pending.end()) return;
        it->second.checked = true;
        it->second.checked_block = known_block;
      };
      if (!answers) {
        // The round trip failed as a whole: retry on the next tick, unless the node refuses
        // batches or answers garbage, which polling will not fix.
        if (retryable(answers.error())) {
          s.last_error = answers.error();
          for (const auto& hash : targets) unanswered(hash);
        } else {
          for (const auto& hash : targets) finish(hash, answers.error());
        }
      } else {
        s.last_error.reset();
        auto& results = *answers;
        for (std::size_t i = 0; i < targets.size(); ++i) {
          auto& raw = results[i];
          if (!raw) {
            if (retryable(raw.error())) {
              s.last_error = raw.error();
              unanswered(targets[i]);
            } else {
              finish(targets[i], raw.take_error());
            }
            continue;
          }
          auto receipt = decode::receipt(*raw);
          if (!receipt)
            finish(targets[i], receipt.take_error());
          else if (receipt->has_value())
            finish(targets[i], std::move(**receipt));
          else
            unanswered(targets[i]);
        }
      }
    }
    for (auto& [waiters, result] : done)
      for (const auto& waiter : waiters) deliver(waiter, result);
  }
}

}  // namespace x402::chain::evm
