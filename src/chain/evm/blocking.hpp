// Blocking use of the JSON-RPC client, for CLI commands and tests that are not on an io_context:
// one I/O thread (http::BlockingClient's) runs the coroutines, the caller waits for each result.
//
//   auto chain = BlockingRpc::connect("http://127.0.0.1:8545");
//   auto id = (*chain)->run([](RpcClient& rpc) { return rpc.chain_id(); });
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "chain/evm/rpc.hpp"
#include "http/client.hpp"

namespace x402::chain::evm {

class BlockingRpc {
 public:
  // Parses the URL; connects lazily on the first call.
  [[nodiscard]] static Result<std::unique_ptr<BlockingRpc>> connect(std::string_view url,
                                                                    http::ClientOptions http_options = {},
                                                                    RpcOptions rpc_options = {});

  // Runs `f(rpc)` (returning boost::asio::awaitable<T>) on the I/O thread and returns its T.
  // Must not be called from that thread.
  template <typename F>
  auto run(F&& f) {
    using Awaitable = std::invoke_result_t<F, RpcClient&>;
    using T = typename Awaitable::value_type;
    // use_future needs a default-constructible result; Result<T> is not, std::optional is.
    return std::move(
        *boost::asio::co_spawn(http_.executor(), wrap<T>(std::forward<F>(f)(rpc_)), boost::asio::use_future)
             .get());
  }

  [[nodiscard]] RpcClient& rpc() noexcept { return rpc_; }

  BlockingRpc(http::ClientOptions http_options, http::Url url, RpcOptions rpc_options);

 private:
  template <typename T>
  static boost::asio::awaitable<std::optional<T>> wrap(boost::asio::awaitable<T> inner) {
    co_return co_await std::move(inner);
  }

  http::BlockingClient http_;
  RpcClient rpc_;
};

}  // namespace x402::chain::evm
