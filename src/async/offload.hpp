// Running blocking work (SQLite, PostgreSQL, file I/O) off the I/O threads: the coroutine
// suspends, the function runs on a worker pool, and the coroutine resumes on its own executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>
#include <utility>

namespace x402::async {

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&>> offload(boost::asio::thread_pool& pool, F function) {
  using R = std::invoke_result_t<F&>;
  // co_spawn's completion needs a default-constructible value; results often are not.
  // A named task, not a lambda temporary inside the co_await: GCC 12 destroys those twice.
  auto task = [fn = std::move(function)]() mutable -> boost::asio::awaitable<std::optional<R>> {
    co_return fn();
  };
  auto executor = pool.get_executor();
  auto result = co_await boost::asio::co_spawn(executor, std::move(task), boost::asio::use_awaitable);
  co_return std::move(*result);
}

}  // namespace x402::async
