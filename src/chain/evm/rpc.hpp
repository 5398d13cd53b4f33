// Ethereum JSON-RPC 2.0 client on the async HTTP client: typed eth_* calls, batches (several
// calls in one HTTP round trip), and the anvil/dev methods the local chain needs.
//
// Every call returns an RpcResult<T>: the value, or an RpcError that says whether the node could
// not be reached (Errc::unavailable), did not answer in time (Errc::timeout), answered with a
// JSON-RPC error (code/message/data kept), or reported an EVM revert (revert data and the decoded
// reason text kept, so facilitators can classify "FiatTokenV2: ..." messages).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "http/client.hpp"
#include "x402/bytes.hpp"
#include "x402/result.hpp"
#include "x402/u256.hpp"

namespace x402::chain::evm {

// ---------------------------------------------------------------------------------------------
// Errors

enum class RpcErrorKind : std::uint8_t {
  transport,     // connect/IO failure, HTTP status without a JSON-RPC body
  timeout,       // the HTTP exchange or a bounded wait ran out
  rpc,           // the node answered with a JSON-RPC error object
  reverted,      // the node reported an EVM revert (eth_call, eth_estimateGas, ...)
  bad_response,  // the answer is not valid JSON-RPC or has an unexpected shape
};

struct RpcError {
  RpcErrorKind kind = RpcErrorKind::transport;
  std::string message;                     // human-readable summary
  std::int64_t code = 0;                   // JSON-RPC error code (rpc, reverted)
  std::string rpc_message;                 // the node's error message, verbatim
  std::optional<boost::json::value> data;  // the node's error `data`, verbatim
  Bytes revert_data;                       // reverted: the raw return data
  std::string revert_reason;               // reverted: Error(string) text, "panic: 0x11", or ""

  // transport -> unavailable, timeout -> timeout, reverted -> conflict (the chain state refuses
  // the call), rpc -> io_error, bad_response -> invalid_json.
  [[nodiscard]] Errc errc() const noexcept;
  [[nodiscard]] Error to_error() const;
  [[nodiscard]] std::string describe() const;  // "<errc>: <message>"
  [[nodiscard]] bool is_revert() const noexcept { return kind == RpcErrorKind::reverted; }
};

// A value or an RpcError; the same shape as x402::Result.
template <typename T>
class [[nodiscard]] RpcResult {
 public:
  // An error ("no result"): lets Asio's use_future and similar completion tokens, which need a
  // default-constructible value, carry an RpcResult.
  RpcResult() : state_(std::in_place_index<1>, RpcError{RpcErrorKind::bad_response, "no result"}) {}
  RpcResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}         // NOLINT
  RpcResult(RpcError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & noexcept { return *std::get_if<0>(&state_); }
  const T& value() const& noexcept { return *std::get_if<0>(&state_); }
  T&& value() && noexcept { return std::move(*std::get_if<0>(&state_)); }
  T* operator->() noexcept { return std::get_if<0>(&state_); }
  const T* operator->() const noexcept { return std::get_if<0>(&state_); }
  T& operator*() & noexcept { return value(); }
  const T& operator*() const& noexcept { return value(); }
  [[nodiscard]] const RpcError& error() const noexcept { return *std::get_if<1>(&state_); }
  RpcError&& take_error() noexcept { return std::move(*std::get_if<1>(&state_)); }

  // Drops the RPC details, for code that only speaks x402::Result.
  [[nodiscard]] Result<T> to_result() && {
    if (ok()) return std::move(value());
    return error().to_error();
  }

 private:
  std::variant<T, RpcError> state_;
};

template <>
class [[nodiscard]] RpcResult<void> {
 public:
  RpcResult() = default;
  RpcResult(RpcError error) : error_(std::move(error)), failed_(true) {}  // NOLINT
  [[nodiscard]] bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const RpcError& error() const noexcept { return error_; }
  RpcError&& take_error() noexcept { return std::move(error_); }
  [[nodiscard]] Status to_result() && {
    if (ok()) return {};
    return error_.to_error();
  }

 private:
  RpcError error_;
  bool failed_ = false;
};

using RpcStatus = RpcResult<void>;

// Solidity revert data -> text: Error(string) gives the string, Panic(uint256) "panic: 0x<code>",
// anything else (custom errors, empty data) "".
[[nodiscard]] std::string decode_revert_reason(ByteView data);

// ---------------------------------------------------------------------------------------------
// Request and result types

// A block parameter: a tag ("latest", "pending", ...) or a number.
struct BlockRef {
  std::string text = "latest";  // what goes on the wire
  [[nodiscard]] static BlockRef latest() { return {"latest"}; }
  [[nodiscard]] static BlockRef pending() { return {"pending"}; }
  [[nodiscard]] static BlockRef earliest() { return {"earliest"}; }
  [[nodiscard]] static BlockRef safe() { return {"safe"}; }
  [[nodiscard]] static BlockRef finalized() { return {"finalized"}; }
  [[nodiscard]] static BlockRef number(std::uint64_t n);
};

// eth_call / eth_estimateGas / eth_sendTransaction parameters.
struct CallRequest {
  std::optional<Address> from;
  std::optional<Address> to;  // empty: contract creation
  Bytes data;
  std::optional<U256> value;
  std::optional<std::uint64_t> gas;
};

struct BlockHeader {
  std::uint64_t number = 0;
  Bytes32 hash;
  Bytes32 parent_hash;
  std::uint64_t timestamp = 0;
  std::uint64_t gas_limit = 0;
  std::uint64_t gas_used = 0;
  std::optional<U256> base_fee_per_gas;  // absent before London
  Address miner;
};

struct Log {
  Address address;
  std::vector<Bytes32> topics;
  Bytes data;
  std::uint64_t log_index = 0;
  bool removed = false;
};

struct Receipt {
  Bytes32 transaction_hash;
  bool status = false;  // true: success (status 0x1)
  std::uint64_t block_number = 0;
  Bytes32 block_hash;
  std::uint64_t transaction_index = 0;
  Address from;
  std::optional<Address> to;
  std::optional<Address> contract_address;
  std::uint64_t gas_used = 0;
  std::uint64_t cumulative_gas_used = 0;
  U256 effective_gas_price = 0;
  std::uint8_t type = 0;
  std::vector<Log> logs;
};

// One call of a batch: method name and positional params.
struct RawCall {
  std::string method;
  boost::json::array params;
};

// Builders for the calls a batch most often holds, and decoders for their results, so a batch
// gets the same types as the single calls.
namespace requests {
RawCall chain_id();
RawCall block_number();
RawCall get_balance(const Address& account, const BlockRef& block = BlockRef::latest());
RawCall get_code(const Address& account, const BlockRef& block = BlockRef::latest());
RawCall get_transaction_count(const Address& account, const BlockRef& block = BlockRef::latest());
RawCall call(const CallRequest& request, const BlockRef& block = BlockRef::latest());
RawCall get_storage_at(const Address& account, const U256& slot, const BlockRef& block = BlockRef::latest());
RawCall gas_price();
RawCall max_priority_fee_per_gas();
RawCall get_block_by_number(const BlockRef& block);
RawCall get_transaction_receipt(const Bytes32& hash);
}  // namespace requests

namespace decode {
RpcResult<U256> quantity(const boost::json::value& json);
RpcResult<std::uint64_t> quantity_u64(const boost::json::value& json);
RpcResult<Bytes> bytes(const boost::json::value& json);
RpcResult<Bytes32> bytes32(const boost::json::value& json);
RpcResult<std::optional<BlockHeader>> block(const boost::json::value& json);  // null: unknown block
RpcResult<std::optional<Receipt>> receipt(const boost::json::value& json);    // null: not mined yet
}  // namespace decode

// Calls made through a client and all its copies, for metrics: JSON-RPC calls by method (every
// call of a batch counts) and HTTP round trips.
struct RpcCallCounts {
  std::vector<std::pair<std::string, std::uint64_t>> by_method;  // sorted by method
  std::uint64_t round_trips = 0;
};

struct RpcOptions {
  // Calls per HTTP request in batch(); larger batches are split into several round trips.
  std::size_t max_batch_size = 256;
  // Extra HTTP headers (e.g. an API key for a hosted node).
  std::vector<std::pair<std::string, std::string>> headers;
};

// ---------------------------------------------------------------------------------------------
// The client

// A cheap, copyable handle: copies share the URL and the request-id counter. Thread-safe when the
// http::Client is (it is). The http::Client must outlive every copy; its ClientOptions bound each
// exchange in time (request_timeout -> Errc::timeout).
class RpcClient {
 public:
  RpcClient(http::Client& http, http::Url url, RpcOptions options = {});
  [[nodiscard]] static Result<RpcClient> create(http::Client& http, std::string_view url,
                                                RpcOptions options = {});

  [[nodiscard]] const http::Url& url() const noexcept;
  [[nodiscard]] RpcCallCounts call_counts() const;

  // Generic calls: the raw `result` member, or the error.
  boost::asio::awaitable<RpcResult<boost::json::value>> request(std::string method,
                                                                boost::json::array params);
  // All calls in as few HTTP round trips as max_batch_size allows; results in call order. The
  // outer result fails only when a round trip fails as a whole.
  boost::asio::awaitable<RpcResult<std::vector<RpcResult<boost::json::value>>>> batch(
      std::vector<RawCall> calls);

  // --- eth_* ---------------------------------------------------------------------------------
  boost::asio::awaitable<RpcResult<std::uint64_t>> chain_id();
  boost::asio::awaitable<RpcResult<std::uint64_t>> block_number();
  boost::asio::awaitable<RpcResult<U256>> get_balance(Address account, BlockRef block = BlockRef::latest());
  boost::asio::awaitable<RpcResult<Bytes>> get_code(Address account, BlockRef block = BlockRef::latest());
  boost::asio::awaitable<RpcResult<std::uint64_t>> get_transaction_count(Address account,
                                                                         BlockRef block = BlockRef::latest());
  boost::asio::awaitable<RpcResult<Bytes32>> get_storage_at(Address account, U256 slot,
                                                            BlockRef block = BlockRef::latest());
  // A revert comes back as RpcErrorKind::reverted with revert_data and revert_reason.
  boost::asio::awaitable<RpcResult<Bytes>> call(CallRequest request, BlockRef block = BlockRef::latest());
  boost::asio::awaitable<RpcResult<std::uint64_t>> estimate_gas(CallRequest request);
  boost::asio::awaitable<RpcResult<U256>> gas_price();
  boost::asio::awaitable<RpcResult<U256>> max_priority_fee_per_gas();
  boost::asio::awaitable<RpcResult<std::optional<BlockHeader>>> get_block_by_number(BlockRef block);
  boost::asio::awaitable<RpcResult<Bytes32>> send_raw_transaction(Bytes raw);
  // For accounts the node holds keys for (anvil's dev accounts, impersonated accounts).
  boost::asio::awaitable<RpcResult<Bytes32>> send_transaction(CallRequest request);
  boost::asio::awaitable<RpcResult<std::optional<Receipt>>> get_transaction_receipt(Bytes32 hash);
  // Polls eth_getTransactionReceipt every `poll` until a receipt appears or `timeout` passes
  // (RpcErrorKind::timeout). Transport errors while polling are retried until the deadline.
  boost::asio::awaitable<RpcResult<Receipt>> wait_for_receipt(
      Bytes32 hash, std::chrono::milliseconds timeout = std::chrono::seconds(30),
      std::chrono::milliseconds poll = std::chrono::milliseconds(50));

  // --- anvil / dev methods -----------------------------------------------------------------
  boost::asio::awaitable<RpcStatus> anvil_set_code(Address account, Bytes code);
  boost::asio::awaitable<RpcStatus> anvil_set_balance(Address account, U256 wei);
  boost::asio::awaitable<RpcStatus> anvil_set_storage_at(Address account, U256 slot, Bytes32 value);
  boost::asio::awaitable<RpcStatus> anvil_set_nonce(Address account, std::uint64_t nonce);
  boost::asio::awaitable<RpcStatus> anvil_mine(std::uint64_t blocks = 1, std::uint64_t interval_seconds = 0);
  boost::asio::awaitable<RpcStatus> evm_mine();
  boost::asio::awaitable<RpcStatus> evm_set_next_block_timestamp(std::uint64_t timestamp);
  boost::asio::awaitable<RpcResult<std::int64_t>> evm_increase_time(std::int64_t seconds);
  boost::asio::awaitable<RpcStatus> anvil_set_automine(bool enabled);
  boost::asio::awaitable<RpcStatus> evm_set_interval_mining(std::uint64_t seconds);
  boost::asio::awaitable<RpcStatus> anvil_impersonate_account(Address account);
  boost::asio::awaitable<RpcStatus> anvil_stop_impersonating_account(Address account);
  boost::asio::awaitable<RpcResult<U256>> evm_snapshot();
  boost::asio::awaitable<RpcResult<bool>> evm_revert(U256 snapshot_id);

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  http::Client* http_;
};

}  // namespace x402::chain::evm
