#include "crypto/transaction.hpp"

#include <string>
#include <vector>

#include "crypto/keccak.hpp"
#include "crypto/rlp.hpp"
#include "crypto/secp256k1.hpp"
#include "crypto/word.hpp"

namespace x402::crypto {
namespace {

constexpr std::uint8_t kEip1559Type = 0x02;
constexpr std::size_t kUnsignedFields = 9;
constexpr std::size_t kSignedFields = 12;

// The nine unsigned fields, each already RLP-encoded, concatenated.
Bytes encode_fields(const Eip1559Transaction& tx) {
  Bytes fields;
  fields.reserve(128 + tx.data.size());
  const auto append = [&](const Bytes& encoded) {
    fields.insert(fields.end(), encoded.begin(), encoded.end());
  };
  append(rlp::encode_uint(U256(tx.chain_id)));
  append(rlp::encode_uint(U256(tx.nonce)));
  append(rlp::encode_uint(tx.max_priority_fee_per_gas));
  append(rlp::encode_uint(tx.max_fee_per_gas));
  append(rlp::encode_uint(U256(tx.gas_limit)));
  append(tx.to ? rlp::encode_bytes(tx.to->view()) : rlp::encode_bytes({}));
  append(rlp::encode_uint(tx.value));
  append(rlp::encode_bytes(tx.data));
  append(rlp::encode_list({}));  // empty access list
  return fields;
}

Bytes envelope(const Bytes& list) {
  Bytes out;
  out.reserve(1 + list.size());
  out.push_back(kEip1559Type);
  out.insert(out.end(), list.begin(), list.end());
  return out;
}

Error invalid_tx(const std::string& message) {
  return make_error(Errc::invalid_argument, "EIP-1559 transaction: " + message);
}

}  // namespace

Bytes Eip1559Transaction::signing_payload() const {
  return envelope(rlp::encode_list(encode_fields(*this)));
}

Bytes32 Eip1559Transaction::signing_hash() const {
  return keccak256(ByteView(signing_payload()));
}

SignedTransaction sign(const Eip1559Transaction& transaction, const PrivateKey& key) {
  Bytes fields = encode_fields(transaction);
  const Bytes32 digest = keccak256(ByteView(envelope(rlp::encode_list(fields))));
  const Signature signature = key.sign_digest(digest);
  const auto append = [&](const Bytes& encoded) {
    fields.insert(fields.end(), encoded.begin(), encoded.end());
  };
  append(rlp::encode_uint(U256(signature.v - 27)));
  // r and s are RLP integers: leading zero bytes are stripped.
  append(rlp::encode_uint(detail::load_be(signature.r.view())));
  append(rlp::encode_uint(detail::load_be(signature.s.view())));
  SignedTransaction out;
  out.raw = envelope(rlp::encode_list(fields));
  out.hash = keccak256(ByteView(out.raw));
  return out;
}

Result<DecodedTransaction> decode_signed_transaction(ByteView raw) noexcept {
  try {
    if (raw.empty()) return invalid_tx("empty input");
    if (raw[0] != kEip1559Type)
      return invalid_tx("type byte is 0x" + to_hex(raw.first(1), false) + ", expected 0x02");
    auto decoded = rlp::decode(raw.subspan(1));
    if (!decoded) return decoded.take_error();
    if (!decoded->is_list()) return invalid_tx("payload is not an RLP list");
    const auto& fields = decoded->items();
    if (fields.size() != kSignedFields)
      return invalid_tx("expected " + std::to_string(kSignedFields) + " fields, got " +
                        std::to_string(fields.size()));

    static constexpr const char* kNames[kSignedFields] = {
        "chainId", "nonce", "maxPriorityFeePerGas", "maxFeePerGas", "gasLimit", "to",
        "value",   "data",  "accessList",           "yParity",      "r",        "s"};
    const auto field_error = [&](std::size_t index, const Error& error) {
      return invalid_tx(std::string(kNames[index]) + ": " + error.message);
    };
    DecodedTransaction out;
    Eip1559Transaction& tx = out.transaction;
    const auto read_u64 = [&](std::size_t index, std::uint64_t& target) -> Status {
      auto value = fields[index].to_u64();
      if (!value) return field_error(index, value.error());
      target = *value;
      return {};
    };
    const auto read_u256 = [&](std::size_t index, U256& target) -> Status {
      auto value = fields[index].to_uint();
      if (!value) return field_error(index, value.error());
      target = *value;
      return {};
    };
    if (auto s = read_u64(0, tx.chain_id); !s) return s.take_error();
    if (auto s = read_u64(1, tx.nonce); !s) return s.take_error();
    if (auto s = read_u256(2, tx.max_priority_fee_per_gas); !s) return s.take_error();
    if (auto s = read_u256(3, tx.max_fee_per_gas); !s) return s.take_error();
    if (auto s = read_u64(4, tx.gas_limit); !s) return s.take_error();
    const auto& to = fields[5];
    if (to.is_list() || (!to.data().empty() && to.data().size() != 20))
      return invalid_tx("to: expected 20 bytes or empty");
    if (!to.data().empty()) tx.to = Address(FixedBytes<20>::from_span(to.data()));
    if (auto s = read_u256(6, tx.value); !s) return s.take_error();
    if (fields[7].is_list()) return invalid_tx("data: expected a byte string");
    tx.data = fields[7].data();
    if (!fields[8].is_list()) return invalid_tx("accessList: expected a list");
    if (!fields[8].items().empty()) return invalid_tx("accessList: non-empty access lists are not supported");

    std::uint64_t y_parity = 0;
    if (auto s = read_u64(9, y_parity); !s) return s.take_error();
    if (y_parity > 1) return invalid_tx("yParity must be 0 or 1, got " + std::to_string(y_parity));
    U256 r, s;
    if (auto st = read_u256(10, r); !st) return st.take_error();
    if (auto st = read_u256(11, s); !st) return st.take_error();
    out.signature = Signature{detail::be32(r), detail::be32(s), static_cast<std::uint8_t>(27 + y_parity)};
    if (!is_low_s(out.signature))
      return invalid_tx("s is zero or in the upper half of the curve order (EIP-2)");

    out.hash = keccak256(raw);
    auto sender = recover_signer(tx.signing_hash(), out.signature);
    if (!sender) return invalid_tx(sender.error().message);
    out.sender = *sender;
    return out;
  } catch (...) {
    return make_error(Errc::internal, "EIP-1559 transaction: out of memory while decoding");
  }
}

}  // namespace x402::crypto
