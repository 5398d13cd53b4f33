#include "chain/evm/blocking.hpp"

namespace x402::chain::evm {

BlockingRpc::BlockingRpc(http::ClientOptions http_options, http::Url url, RpcOptions rpc_options)
    : http_(std::move(http_options)), rpc_(http_.async_client(), std::move(url), std::move(rpc_options)) {}

Result<std::unique_ptr<BlockingRpc>> BlockingRpc::connect(std::string_view url,
                                                          http::ClientOptions http_options,
                                                          RpcOptions rpc_options) {
  auto parsed = http::parse_url(url);
  if (!parsed) return parsed.take_error();
  return std::make_unique<BlockingRpc>(std::move(http_options), std::move(*parsed), std::move(rpc_options));
}

}  // namespace x402::chain::evm
