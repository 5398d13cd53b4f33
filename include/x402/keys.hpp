// Private keys: loaded from a file or an environment variable (never argv), wiped on destruction,
// never printed. Signing lives here so key bytes never leave this type.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "x402/bytes.hpp"
#include "x402/result.hpp"

namespace x402 {

class PrivateKey {
 public:
  PrivateKey(const PrivateKey& other) noexcept = default;
  PrivateKey& operator=(const PrivateKey& other) noexcept = default;
  ~PrivateKey();

  // "0x" + 64 hex digits (surrounding whitespace ignored); must be a valid secp256k1 scalar.
  [[nodiscard]] static Result<PrivateKey> from_hex(std::string_view text) noexcept;
  // A file holding one hex key. Refuses files readable by group or others.
  [[nodiscard]] static Result<PrivateKey> load_file(const std::string& path) noexcept;
  // An environment variable holding one hex key.
  [[nodiscard]] static Result<PrivateKey> from_env(const std::string& variable) noexcept;
  // 32 bytes from the OS CSPRNG.
  [[nodiscard]] static PrivateKey generate() noexcept;

  [[nodiscard]] const Address& address() const noexcept { return address_; }

  // Signs a 32-byte digest: RFC 6979 nonce, low-s, v = 27 + recovery id.
  [[nodiscard]] Signature sign_digest(const Bytes32& digest) const noexcept;

  // Hex with 0x prefix; only for writing a new key file. Never log the result.
  [[nodiscard]] std::string reveal_hex() const;

 private:
  PrivateKey() = default;
  std::array<std::uint8_t, 32> secret_{};
  Address address_;
};

// Writes `key` to `path` with mode 0600, refusing to overwrite an existing file.
Status write_key_file(const std::string& path, const PrivateKey& key) noexcept;

}  // namespace x402
