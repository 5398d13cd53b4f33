#include "chain/evm/rpc.hpp"

// GCC 12 misreports Asio's coroutine frame allocator as a mismatched new/delete.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <algorithm>
#include <atomic>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <limits>
#include <map>
#include <mutex>
#include <unordered_map>

namespace x402::chain::evm {

namespace json = boost::json;
namespace asio = boost::asio;

// ---------------------------------------------------------------------------------------------
// Errors

Errc RpcError::errc() const noexcept {
  switch (kind) {
    case RpcErrorKind::transport:
      return Errc::unavailable;
    case RpcErrorKind::timeout:
      return Errc::timeout;
    case RpcErrorKind::reverted:
      return Errc::conflict;
    case RpcErrorKind::rpc:
      return Errc::io_error;
    case RpcErrorKind::bad_response:
      return Errc::invalid_json;
  }
  return Errc::internal;
}

Error RpcError::to_error() const {
  return make_error(errc(), message);
}

std::string RpcError::describe() const {
  return std::string(to_string(errc())) + ": " + message;
}

namespace {

RpcError bad_response(std::string message) {
  RpcError e;
  e.kind = RpcErrorKind::bad_response;
  e.message = "bad JSON-RPC response: " + std::move(message);
  return e;
}

RpcError from_http_error(const Error& error) {
  RpcError e;
  e.kind = error.code == Errc::timeout     ? RpcErrorKind::timeout
           : error.code == Errc::too_large ? RpcErrorKind::bad_response
                                           : RpcErrorKind::transport;
  e.message = error.message;
  return e;
}

std::uint32_t read_be32(ByteView data, std::size_t offset) {
  return (std::uint32_t{data[offset]} << 24) | (std::uint32_t{data[offset + 1]} << 16) |
         (std::uint32_t{data[offset + 2]} << 8) | std::uint32_t{data[offset + 3]};
}

// A 32-byte ABI word that must fit a small offset or length.
std::optional<std::size_t> read_word_size(ByteView data, std::size_t offset) {
  if (offset + 32 > data.size()) return std::nullopt;
  for (std::size_t i = 0; i < 24; ++i)
    if (data[offset + i] != 0) return std::nullopt;
  std::size_t value = 0;
  for (std::size_t i = 24; i < 32; ++i) value = (value << 8) | data[offset + i];
  if (value > data.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string decode_revert_reason(ByteView data) {
  if (data.size() < 4) return {};
  const std::uint32_t selector = read_be32(data, 0);
  const ByteView args = data.subspan(4);
  if (selector == 0x08c379a0) {  // Error(string)
    const auto offset = read_word_size(args, 0);
    if (!offset) return {};
    const auto length = read_word_size(args, *offset);
    if (!length || *offset + 32 + *length > args.size()) return {};
    const auto* begin = reinterpret_cast<const char*>(args.data() + *offset + 32);
    return std::string(begin, *length);
  }
  if (selector == 0x4e487b71 && args.size() >= 32) {  // Panic(uint256)
    return "panic: " + to_quantity(from_be_bytes(args.subspan(0, 32)));
  }
  return {};
}

namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const auto a = static_cast<unsigned char>(text[i]);
    const auto b = static_cast<unsigned char>(prefix[i]);
    if (std::tolower(a) != std::tolower(b)) return false;
  }
  return true;
}

std::optional<std::int64_t> json_int(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v.as_uint64());
  if (v.is_double()) return static_cast<std::int64_t>(v.as_double());
  return std::nullopt;
}

// Turns a JSON-RPC error object into an RpcError, recognising reverts: geth/anvil use code 3
// with the revert data in `data`; some nodes only say "execution reverted" in the message.
RpcError from_rpc_error(const json::value& error_value) {
  RpcError e;
  e.kind = RpcErrorKind::rpc;
  const auto* obj = error_value.if_object();
  if (obj == nullptr) {
    e.message = "JSON-RPC error: " + json::serialize(error_value);
    return e;
  }
  if (const auto* code = obj->if_contains("code")) e.code = json_int(*code).value_or(0);
  if (const auto* message = obj->if_contains("message"); message && message->is_string())
    e.rpc_message = std::string(message->as_string());
  if (const auto* data = obj->if_contains("data")) e.data = *data;

  const bool reverted = e.code == 3 || starts_with_ci(e.rpc_message, "execution reverted") ||
                        starts_with_ci(e.rpc_message, "reverted");
  if (reverted) {
    e.kind = RpcErrorKind::reverted;
    const json::value* data = e.data ? &*e.data : nullptr;
    // Some nodes nest the payload: {"data": {"data": "0x..."}} or {"data": {"result": ...}}.
    if (data && data->is_object()) {
      if (const auto* inner = data->as_object().if_contains("data")) data = inner;
    }
    if (data && data->is_string()) {
      if (auto bytes = from_hex(data->as_string()); bytes) e.revert_data = std::move(*bytes);
    }
    e.revert_reason = decode_revert_reason(e.revert_data);
    if (e.revert_reason.empty()) {
      constexpr std::string_view kPrefix = "execution reverted: ";
      if (starts_with_ci(e.rpc_message, kPrefix)) e.revert_reason = e.rpc_message.substr(kPrefix.size());
    }
    e.message = e.revert_reason.empty() ? "execution reverted" : "execution reverted: " + e.revert_reason;
  } else {
    e.message = "JSON-RPC error " + std::to_string(e.code) + ": " + e.rpc_message;
  }
  return e;
}

// One response object (of a single call or of a batch) -> its result or error.
RpcResult<json::value> result_of(const json::object& response) {
  if (const auto* error = response.if_contains("error"); error && !error->is_null())
    return from_rpc_error(*error);
  if (const auto* result = response.if_contains("result")) return *result;
  return bad_response("neither result nor error");
}

std::string hex_of(const Address& address) {
  return to_hex(address.bytes);
}

json::value call_object(const CallRequest& request) {
  json::object obj;
  if (request.from) obj["from"] = hex_of(*request.from);
  if (request.to) obj["to"] = hex_of(*request.to);
  // "data" is understood by every node generation ("input" only by newer ones); sending one
  // copy keeps large calldata from doubling on every call.
  obj["data"] = to_hex(request.data);
  if (request.value) obj["value"] = to_quantity(*request.value);
  if (request.gas) obj["gas"] = to_quantity(U256(*request.gas));
  return obj;
}

std::string quantity(std::uint64_t value) {
  return to_quantity(U256(value));
}

// Builds positional params outside a co_await expression (GCC rejects braced lists there).
template <typename... Args>
json::array params(Args&&... args) {
  json::array out;
  out.reserve(sizeof...(Args));
  (out.emplace_back(std::forward<Args>(args)), ...);
  return out;
}

template <typename T>
RpcResult<T> lift(Result<T> r, std::string_view what) {
  if (r) return std::move(*r);
  return bad_response(std::string(what) + ": " + r.error().message);
}

RpcResult<std::uint64_t> u64_of(const json::value& v) {
  auto q = decode::quantity(v);
  if (!q) return q.take_error();
  if (*q > std::numeric_limits<std::uint64_t>::max()) return bad_response("quantity exceeds 64 bits");
  return static_cast<std::uint64_t>(*q);
}

RpcResult<Address> address_of(const json::value& v) {
  // Nodes answer in lowercase; no EIP-55 check here (Address::parse would accept it anyway).
  if (!v.is_string()) return bad_response("expected an address string");
  auto parsed = FixedBytes<20>::from_hex(v.as_string());
  if (!parsed) return bad_response("address: " + parsed.error().message);
  return Address(*parsed);
}

// Member helpers for block and receipt objects: absent members are errors unless optional.
#define X402_RPC_REQUIRE(expr, out)  \
  do {                               \
    auto _r = (expr);                \
    if (!_r) return _r.take_error(); \
    (out) = std::move(*_r);          \
  } while (false)

const json::value& member_or_null(const json::object& obj, std::string_view key) {
  static const json::value kNull;
  const auto* v = obj.if_contains(key);
  return v ? *v : kNull;
}

RpcResult<Log> log_of(const json::value& value) {
  const auto* obj = value.if_object();
  if (obj == nullptr) return bad_response("log is not an object");
  Log log;
  X402_RPC_REQUIRE(address_of(member_or_null(*obj, "address")), log.address);
  const auto* topics = obj->if_contains("topics");
  if (topics == nullptr || !topics->is_array()) return bad_response("log topics missing");
  for (const auto& topic : topics->as_array()) {
    Bytes32 t;
    X402_RPC_REQUIRE(decode::bytes32(topic), t);
    log.topics.push_back(t);
  }
  X402_RPC_REQUIRE(decode::bytes(member_or_null(*obj, "data")), log.data);
  if (const auto* index = obj->if_contains("logIndex"); index && !index->is_null())
    X402_RPC_REQUIRE(u64_of(*index), log.log_index);
  if (const auto* removed = obj->if_contains("removed"); removed && removed->is_bool())
    log.removed = removed->as_bool();
  return log;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Builders and decoders

BlockRef BlockRef::number(std::uint64_t n) {
  return {quantity(n)};
}

namespace requests {
RawCall chain_id() {
  return {"eth_chainId", {}};
}
RawCall block_number() {
  return {"eth_blockNumber", {}};
}
RawCall get_balance(const Address& account, const BlockRef& block) {
  return {"eth_getBalance", {json::value(hex_of(account)), json::value(block.text)}};
}
RawCall get_code(const Address& account, const BlockRef& block) {
  return {"eth_getCode", {json::value(hex_of(account)), json::value(block.text)}};
}
RawCall get_transaction_count(const Address& account, const BlockRef& block) {
  return {"eth_getTransactionCount", {json::value(hex_of(account)), json::value(block.text)}};
}
RawCall call(const CallRequest& request, const BlockRef& block) {
  return {"eth_call", {call_object(request), json::value(block.text)}};
}
RawCall get_storage_at(const Address& account, const U256& slot, const BlockRef& block) {
  return {"eth_getStorageAt",
          {json::value(hex_of(account)), json::value(to_hex(to_be_bytes32(slot).bytes)),
           json::value(block.text)}};
}
RawCall gas_price() {
  return {"eth_gasPrice", {}};
}
RawCall max_priority_fee_per_gas() {
  return {"eth_maxPriorityFeePerGas", {}};
}
RawCall get_block_by_number(const BlockRef& block) {
  return {"eth_getBlockByNumber", {json::value(block.text), json::value(false)}};
}
RawCall get_transaction_receipt(const Bytes32& hash) {
  return {"eth_getTransactionReceipt", {json::value(hash.hex())}};
}
}  // namespace requests

namespace decode {

RpcResult<U256> quantity(const json::value& json) {
  if (json.is_string()) return lift(parse_u256_hex(json.as_string()), "quantity");
  // Some dev methods answer with a plain JSON number.
  if (json.is_uint64()) return U256(json.as_uint64());
  if (json.is_int64() && json.as_int64() >= 0) return U256(static_cast<std::uint64_t>(json.as_int64()));
  return bad_response("expected a hex quantity");
}

RpcResult<std::uint64_t> quantity_u64(const json::value& json) {
  return u64_of(json);
}

RpcResult<Bytes> bytes(const json::value& json) {
  if (!json.is_string()) return bad_response("expected hex data");
  return lift(from_hex(json.as_string()), "data");
}

RpcResult<Bytes32> bytes32(const json::value& json) {
  if (!json.is_string()) return bad_response("expected a 32-byte hex string");
  return lift(Bytes32::from_hex(json.as_string()), "bytes32");
}

RpcResult<std::optional<BlockHeader>> block(const json::value& json) {
  if (json.is_null()) return std::optional<BlockHeader>{};
  const auto* obj = json.if_object();
  if (obj == nullptr) return bad_response("block is not an object");
  BlockHeader header;
  X402_RPC_REQUIRE(u64_of(member_or_null(*obj, "number")), header.number);
  X402_RPC_REQUIRE(bytes32(member_or_null(*obj, "hash")), header.hash);
  X402_RPC_REQUIRE(bytes32(member_or_null(*obj, "parentHash")), header.parent_hash);
  X402_RPC_REQUIRE(u64_of(member_or_null(*obj, "timestamp")), header.timestamp);
  X402_RPC_REQUIRE(u64_of(member_or_null(*obj, "gasLimit")), header.gas_limit);
  X402_RPC_REQUIRE(u64_of(member_or_null(*obj, "gasUsed")), header.gas_used);
  if (const auto* fee = obj->if_contains("baseFeePerGas"); fee && !fee->is_null()) {
    U256 value;
    X402_RPC_REQUIRE(quantity(*fee), value);
    header.base_fee_per_gas = value;
  }
  if (const auto* miner = obj->if_contains("miner"); miner && !miner->is_null())
    X402_RPC_REQUIRE(address_of(*miner), header.miner);
  return std::optional<BlockHeader>(std::move(header));
}

RpcResult<std::optional<Receipt>> receipt(const json::value& json) {
  if (json.is_null()) return std::optional<Receipt>{};
  const auto* obj = json.if_object();
  if (obj == nullptr) return bad_response("receipt is not an object");
  Receipt r;
  X402_RPC_REQUIRE(bytes32(member_or_null(*obj, "transactionHash")), r.transaction_hash);
  std::uint64_t status = 0;
  X402_RPC_REQUIRE(u64_of(member_or_null(*obj, "status")), status);
  r.status = status == 1;
  X402_RPC_REQUIRE(u64_of(member_or_null(*obj, "blockNumber")), r.block_number);
  X402_RPC_REQUIRE(bytes32(member_or_null(*obj, "blockHash")), r.block_hash);
  X402_RPC_REQUIRE(u64_of(member_or_null(*obj, "transactionIndex")), r.transaction_index);
  X402_RPC_REQUIRE(address_of(member_or_null(*obj, "from")), r.from);
  if (const auto* to = obj->if_contains("to"); to && !to->is_null()) {
    Address a;
    X402_RPC_REQUIRE(address_of(*to), a);
    r.to = a;
  }
  if (const auto* created = obj->if_contains("contractAddress"); created && !created->is_null()) {
    Address a;
    X402_RPC_REQUIRE(address_of(*created), a);
    r.contract_address = a;
  }
  X402_RPC_REQUIRE(u64_of(member_or_null(*obj, "gasUsed")), r.gas_used);
  X402_RPC_REQUIRE(u64_of(member_or_null(*obj, "cumulativeGasUsed")), r.cumulative_gas_used);
  if (const auto* price = obj->if_contains("effectiveGasPrice"); price && !price->is_null())
    X402_RPC_REQUIRE(quantity(*price), r.effective_gas_price);
  if (const auto* type = obj->if_contains("type"); type && !type->is_null()) {
    std::uint64_t t = 0;
    X402_RPC_REQUIRE(u64_of(*type), t);
    r.type = static_cast<std::uint8_t>(t);
  }
  const auto* logs = obj->if_contains("logs");
  if (logs == nullptr || !logs->is_array()) return bad_response("receipt logs missing");
  r.logs.reserve(logs->as_array().size());
  for (const auto& entry : logs->as_array()) {
    Log log;
    X402_RPC_REQUIRE(log_of(entry), log);
    r.logs.push_back(std::move(log));
  }
  return std::optional<Receipt>(std::move(r));
}

}  // namespace decode

// ---------------------------------------------------------------------------------------------
// The client

struct RpcClient::Shared {
  http::Url url;
  RpcOptions options;
  std::atomic<std::uint64_t> next_id{1};

  mutable std::mutex count_mutex;
  std::map<std::string, std::uint64_t, std::less<>> calls;
  std::atomic<std::uint64_t> round_trips{0};

  void count(std::string_view method) {
    std::lock_guard lock(count_mutex);
    auto it = calls.find(method);
    if (it == calls.end()) it = calls.emplace(std::string(method), 0).first;
    ++it->second;
  }
};

RpcClient::RpcClient(http::Client& http, http::Url url, RpcOptions options)
    : shared_(std::make_shared<Shared>()), http_(&http) {
  shared_->url = std::move(url);
  shared_->options = std::move(options);
}

Result<RpcClient> RpcClient::create(http::Client& http, std::string_view url, RpcOptions options) {
  auto parsed = http::parse_url(url);
  if (!parsed) return parsed.take_error();
  return RpcClient(http, std::move(*parsed), std::move(options));
}

const http::Url& RpcClient::url() const noexcept {
  return shared_->url;
}

RpcCallCounts RpcClient::call_counts() const {
  RpcCallCounts out;
  {
    std::lock_guard lock(shared_->count_mutex);
    out.by_method.assign(shared_->calls.begin(), shared_->calls.end());
  }
  out.round_trips = shared_->round_trips.load(std::memory_order_relaxed);
  return out;
}

namespace {

json::object envelope(std::uint64_t id, std::string_view method, json::array params) {
  json::object obj;
  obj["jsonrpc"] = "2.0";
  obj["id"] = id;
  obj["method"] = method;
  obj["params"] = std::move(params);
  return obj;
}

std::optional<std::uint64_t> id_of(const json::object& response) {
  const auto* id = response.if_contains("id");
  if (id == nullptr) return std::nullopt;
  if (id->is_uint64()) return id->as_uint64();
  if (id->is_int64() && id->as_int64() >= 0) return static_cast<std::uint64_t>(id->as_int64());
  return std::nullopt;
}

// HTTP answer -> parsed JSON body. A non-200 status with a JSON-RPC body still counts as an
// answer (some providers send errors with 4xx/5xx); without one it is a transport failure.
RpcResult<json::value> parse_body(const http::Response& response) {
  boost::system::error_code ec;
  json::value body = json::parse(response.body(), ec);
  const unsigned status = response.result_int();
  if (ec || !(body.is_object() || body.is_array())) {
    if (status != 200) {
      RpcError e;
      e.kind = RpcErrorKind::transport;
      e.message = "HTTP " + std::to_string(status) + " from the JSON-RPC endpoint";
      return e;
    }
    return bad_response(ec ? ec.message() : "body is neither an object nor an array");
  }
  return body;
}

}  // namespace

asio::awaitable<RpcResult<json::value>> RpcClient::request(std::string method, json::array params) {
  const std::uint64_t id = shared_->next_id.fetch_add(1, std::memory_order_relaxed);
  shared_->count(method);
  shared_->round_trips.fetch_add(1, std::memory_order_relaxed);
  std::string body = json::serialize(envelope(id, method, std::move(params)));
  auto response = co_await http_->post_json(shared_->url, std::move(body), shared_->options.headers);
  if (!response) co_return from_http_error(response.error());
  auto parsed = parse_body(*response);
  if (!parsed) co_return parsed.take_error();
  const auto* obj = parsed->if_object();
  if (obj == nullptr) co_return bad_response("expected an object");
  // A node that cannot parse the request answers with id null; accept that only with an error.
  const auto got = id_of(*obj);
  if (got && *got != id) co_return bad_response("id mismatch");
  if (!got && obj->if_contains("error") == nullptr) co_return bad_response("missing id");
  co_return result_of(*obj);
}

asio::awaitable<RpcResult<std::vector<RpcResult<json::value>>>> RpcClient::batch(std::vector<RawCall> calls) {
  std::vector<RpcResult<json::value>> results;
  results.reserve(calls.size());
  const std::size_t chunk = std::max<std::size_t>(1, shared_->options.max_batch_size);
  for (std::size_t start = 0; start < calls.size(); start += chunk) {
    const std::size_t end = std::min(calls.size(), start + chunk);
    const std::uint64_t first_id = shared_->next_id.fetch_add(end - start, std::memory_order_relaxed);
    json::array body;
    body.reserve(end - start);
    for (std::size_t i = start; i < end; ++i) {
      shared_->count(calls[i].method);
      body.push_back(envelope(first_id + (i - start), calls[i].method, std::move(calls[i].params)));
    }
    shared_->round_trips.fetch_add(1, std::memory_order_relaxed);
    auto response = co_await http_->post_json(shared_->url, json::serialize(body), shared_->options.headers);
    if (!response) co_return from_http_error(response.error());
    auto parsed = parse_body(*response);
    if (!parsed) co_return parsed.take_error();
    if (parsed->is_object()) {
      // A whole-batch rejection (e.g. batches unsupported) comes back as one error object.
      auto single = result_of(parsed->as_object());
      if (!single) co_return single.take_error();
      co_return bad_response("expected an array for a batch");
    }
    std::unordered_map<std::uint64_t, const json::object*> by_id;
    for (const auto& item : parsed->as_array()) {
      if (const auto* obj = item.if_object())
        if (auto id = id_of(*obj)) by_id[*id] = obj;
    }
    for (std::size_t i = start; i < end; ++i) {
      const auto it = by_id.find(first_id + (i - start));
      if (it == by_id.end())
        results.emplace_back(bad_response("no answer for call " + calls[i].method));
      else
        results.push_back(result_of(*it->second));
    }
  }
  co_return results;
}

namespace {

template <typename T, typename Decoder>
RpcResult<T> decode_with(RpcResult<json::value> raw, Decoder decoder) {
  if (!raw) return raw.take_error();
  return decoder(*raw);
}

RpcStatus status_of(RpcResult<json::value> raw) {
  if (!raw) return raw.take_error();
  return {};
}

}  // namespace

asio::awaitable<RpcResult<std::uint64_t>> RpcClient::chain_id() {
  auto c = requests::chain_id();
  co_return decode_with<std::uint64_t>(co_await request(c.method, std::move(c.params)), decode::quantity_u64);
}

asio::awaitable<RpcResult<std::uint64_t>> RpcClient::block_number() {
  auto c = requests::block_number();
  co_return decode_with<std::uint64_t>(co_await request(c.method, std::move(c.params)), decode::quantity_u64);
}

asio::awaitable<RpcResult<U256>> RpcClient::get_balance(Address account, BlockRef block) {
  auto c = requests::get_balance(account, block);
  co_return decode_with<U256>(co_await request(c.method, std::move(c.params)), decode::quantity);
}

asio::awaitable<RpcResult<Bytes>> RpcClient::get_code(Address account, BlockRef block) {
  auto c = requests::get_code(account, block);
  co_return decode_with<Bytes>(co_await request(c.method, std::move(c.params)), decode::bytes);
}

asio::awaitable<RpcResult<std::uint64_t>> RpcClient::get_transaction_count(Address account, BlockRef block) {
  auto c = requests::get_transaction_count(account, block);
  co_return decode_with<std::uint64_t>(co_await request(c.method, std::move(c.params)), decode::quantity_u64);
}

asio::awaitable<RpcResult<Bytes32>> RpcClient::get_storage_at(Address account, U256 slot, BlockRef block) {
  auto c = requests::get_storage_at(account, slot, block);
  co_return decode_with<Bytes32>(co_await request(c.method, std::move(c.params)), decode::bytes32);
}

asio::awaitable<RpcResult<Bytes>> RpcClient::call(CallRequest call_request, BlockRef block) {
  auto c = requests::call(call_request, block);
  co_return decode_with<Bytes>(co_await request(c.method, std::move(c.params)), decode::bytes);
}

asio::awaitable<RpcResult<std::uint64_t>> RpcClient::estimate_gas(CallRequest call_request) {
  co_return decode_with<std::uint64_t>(co_await request("eth_estimateGas", params(call_object(call_request))),
                                       decode::quantity_u64);
}

asio::awaitable<RpcResult<U256>> RpcClient::gas_price() {
  co_return decode_with<U256>(co_await request("eth_gasPrice", params()), decode::quantity);
}

asio::awaitable<RpcResult<U256>> RpcClient::max_priority_fee_per_gas() {
  co_return decode_with<U256>(co_await request("eth_maxPriorityFeePerGas", params()), decode::quantity);
}

asio::awaitable<RpcResult<std::optional<BlockHeader>>> RpcClient::get_block_by_number(BlockRef block) {
  auto c = requests::get_block_by_number(block);
  co_return decode_with<std::optional<BlockHeader>>(co_await request(c.method, std::move(c.params)),
                                                    decode::block);
}

asio::awaitable<RpcResult<Bytes32>> RpcClient::send_raw_transaction(Bytes raw) {
  co_return decode_with<Bytes32>(co_await request("eth_sendRawTransaction", params(json::value(to_hex(raw)))),
                                 decode::bytes32);
}

asio::awaitable<RpcResult<Bytes32>> RpcClient::send_transaction(CallRequest call_request) {
  co_return decode_with<Bytes32>(co_await request("eth_sendTransaction", params(call_object(call_request))),
                                 decode::bytes32);
}

asio::awaitable<RpcResult<std::optional<Receipt>>> RpcClient::get_transaction_receipt(Bytes32 hash) {
  auto c = requests::get_transaction_receipt(hash);
  co_return decode_with<std::optional<Receipt>>(co_await request(c.method, std::move(c.params)),
                                                decode::receipt);
}

asio::awaitable<RpcResult<Receipt>> RpcClient::wait_for_receipt(Bytes32 hash,
                                                                std::chrono::milliseconds timeout,
                                                                std::chrono::milliseconds poll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::optional<RpcError> last_error;
  for (;;) {
    auto got = co_await get_transaction_receipt(hash);
    if (got && got->has_value()) co_return std::move(**got);
    if (!got) {
      // A node error other than unreachability will not fix itself by polling.
      if (got.error().kind != RpcErrorKind::transport && got.error().kind != RpcErrorKind::timeout)
        co_return got.take_error();
      last_error = got.take_error();
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    timer.expires_after(std::min<std::chrono::steady_clock::duration>(poll, deadline - now));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  RpcError e;
  e.kind = RpcErrorKind::timeout;
  e.message = "no receipt for " + hash.hex() + " within " + std::to_string(timeout.count()) + " ms";
  if (last_error) e.message += " (last error: " + last_error->message + ")";
  co_return e;
}

// --- anvil / dev -----------------------------------------------------------------------------

asio::awaitable<RpcStatus> RpcClient::anvil_set_code(Address account, Bytes code) {
  co_return status_of(
      co_await request("anvil_setCode", params(json::value(hex_of(account)), json::value(to_hex(code)))));
}

asio::awaitable<RpcStatus> RpcClient::anvil_set_balance(Address account, U256 wei) {
  co_return status_of(co_await request("anvil_setBalance",
                                       params(json::value(hex_of(account)), json::value(to_quantity(wei)))));
}

asio::awaitable<RpcStatus> RpcClient::anvil_set_storage_at(Address account, U256 slot, Bytes32 value) {
  co_return status_of(
      co_await request("anvil_setStorageAt",
                       params(json::value(hex_of(account)), json::value(to_hex(to_be_bytes32(slot).bytes)),
                              json::value(value.hex()))));
}

asio::awaitable<RpcStatus> RpcClient::anvil_set_nonce(Address account, std::uint64_t nonce) {
  co_return status_of(
      co_await request("anvil_setNonce", params(json::value(hex_of(account)), json::value(quantity(nonce)))));
}

asio::awaitable<RpcStatus> RpcClient::anvil_mine(std::uint64_t blocks, std::uint64_t interval_seconds) {
  co_return status_of(co_await request(
      "anvil_mine", params(json::value(quantity(blocks)), json::value(quantity(interval_seconds)))));
}

asio::awaitable<RpcStatus> RpcClient::evm_mine() {
  co_return status_of(co_await request("evm_mine", params()));
}

asio::awaitable<RpcStatus> RpcClient::evm_set_next_block_timestamp(std::uint64_t timestamp) {
  co_return status_of(
      co_await request("evm_setNextBlockTimestamp", params(json::value(quantity(timestamp)))));
}

asio::awaitable<RpcResult<std::int64_t>> RpcClient::evm_increase_time(std::int64_t seconds) {
  auto raw = co_await request("evm_increaseTime", params(json::value(seconds)));
  if (!raw) co_return raw.take_error();
  if (auto n = json_int(*raw)) co_return *n;
  auto q = decode::quantity_u64(*raw);
  if (!q) co_return q.take_error();
  co_return static_cast<std::int64_t>(*q);
}

asio::awaitable<RpcStatus> RpcClient::anvil_set_automine(bool enabled) {
  co_return status_of(co_await request("anvil_setAutomine", params(json::value(enabled))));
}

asio::awaitable<RpcStatus> RpcClient::evm_set_interval_mining(std::uint64_t seconds) {
  co_return status_of(co_await request("evm_setIntervalMining", params(json::value(seconds))));
}

asio::awaitable<RpcStatus> RpcClient::anvil_impersonate_account(Address account) {
  co_return status_of(co_await request("anvil_impersonateAccount", params(json::value(hex_of(account)))));
}

asio::awaitable<RpcStatus> RpcClient::anvil_stop_impersonating_account(Address account) {
  co_return status_of(
      co_await request("anvil_stopImpersonatingAccount", params(json::value(hex_of(account)))));
}

asio::awaitable<RpcResult<U256>> RpcClient::evm_snapshot() {
  co_return decode_with<U256>(co_await request("evm_snapshot", params()), decode::quantity);
}

asio::awaitable<RpcResult<bool>> RpcClient::evm_revert(U256 snapshot_id) {
  auto raw = co_await request("evm_revert", params(json::value(to_quantity(snapshot_id))));
  if (!raw) co_return raw.take_error();
  if (!raw->is_bool()) co_return bad_response("evm_revert: expected a boolean");
  co_return raw->as_bool();
}

}  // namespace x402::chain::evm
