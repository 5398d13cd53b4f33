// A value produced once and awaited by any number of coroutines on any threads: concurrent
// callers of the same operation (e.g. 20 settles of one payment) share one execution.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace x402::async {

template <typename T>
class SharedResult {
 public:
  // Publishes the value and wakes every waiter on its own executor. Later calls are ignored.
  void set(T value) {
    std::vector<Waiter> waiters;
    {
      std::lock_guard lock(mutex_);
      if (value_) return;
      value_ = std::move(value);
      waiters.swap(waiters_);
    }
    for (auto& waiter : waiters) complete(std::move(waiter));
  }

  template <typename CompletionToken>
  auto async_wait(CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(T)>(
        [this](auto handler) {
          // Resume each waiter on its own executor (its coroutine's thread).
          Waiter waiter{boost::asio::any_io_executor(boost::asio::get_associated_executor(handler)),
                        boost::asio::any_completion_handler<void(T)>(std::move(handler))};
          std::unique_lock lock(mutex_);
          if (!value_) {
            waiters_.push_back(std::move(waiter));
            return;
          }
          lock.unlock();
          complete(std::move(waiter));
        },
        token);
  }

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;
    boost::asio::any_completion_handler<void(T)> handler;
  };

  void complete(Waiter waiter) {
    boost::asio::post(waiter.executor, [handler = std::move(waiter.handler), value = *value_]() mutable {
      std::move(handler)(std::move(value));
    });
  }

  std::mutex mutex_;
  std::optional<T> value_;
  std::vector<Waiter> waiters_;
};

}  // namespace x402::async
