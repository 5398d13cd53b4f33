// Running a coroutine to completion from a thread that is not an I/O thread (start-up checks,
// CLI commands): spawns it on `executor` and blocks for its result.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <optional>
#include <utility>

namespace x402::async {

template <typename Executor, typename T>
T run_blocking(const Executor& executor, boost::asio::awaitable<T> operation) {
  // co_spawn's completion needs a default-constructible value; results often are not.
  auto future = boost::asio::co_spawn(
      executor,
      [op = std::move(operation)]() mutable -> boost::asio::awaitable<std::optional<T>> {
        co_return co_await std::move(op);
      },
      boost::asio::use_future);
  return std::move(*future.get());
}

template <typename Executor>
void run_blocking(const Executor& executor, boost::asio::awaitable<void> operation) {
  boost::asio::co_spawn(executor, std::move(operation), boost::asio::use_future).get();
}

}  // namespace x402::async
