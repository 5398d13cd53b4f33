// PrivateKey: the secret never leaves this file except through sign_digest and reveal_hex, and no
// error message ever quotes key material (only lengths, paths and modes).
#include "x402/keys.hpp"

#include <fcntl.h>
#include <secp256k1_recovery.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "crypto/secp256k1.hpp"
#include "crypto/secp256k1_context.hpp"

namespace x402 {
namespace {

constexpr std::size_t kMaxKeyFileBytes = 4096;

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes straight into `out` so no heap copy of the secret is left behind.
Status decode_secret(std::string_view text, std::array<std::uint8_t, 32>& out) noexcept {
  text = trim(text);
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.size() != 64)
    return make_error(Errc::invalid_key, "a private key is 64 hex digits (optionally 0x-prefixed), got " +
                                             std::to_string(text.size()) + " characters");
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = hex_value(text[2 * i]);
    const int lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      crypto::detail::wipe(out.data(), out.size());
      return make_error(Errc::invalid_key, "a private key contains a non-hex character");
    }
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  if (secp256k1_ec_seckey_verify(crypto::detail::secp256k1_ctx(), out.data()) != 1) {
    crypto::detail::wipe(out.data(), out.size());
    return make_error(Errc::invalid_key, "the private key is zero or not below the secp256k1 group order");
  }
  return {};
}

Address derive_address(const std::array<std::uint8_t, 32>& secret) noexcept {
  const secp256k1_context* ctx = crypto::detail::secp256k1_ctx();
  secp256k1_pubkey public_key;
  if (secp256k1_ec_pubkey_create(ctx, &public_key, secret.data()) != 1) return Address{};
  std::array<std::uint8_t, 65> uncompressed{};
  std::size_t length = uncompressed.size();
  secp256k1_ec_pubkey_serialize(ctx, uncompressed.data(), &length, &public_key, SECP256K1_EC_UNCOMPRESSED);
  std::array<std::uint8_t, 64> xy{};
  std::copy(uncompressed.begin() + 1, uncompressed.end(), xy.begin());
  return crypto::address_from_public_key(xy);
}

// A std::string whose buffer is wiped before release.
struct WipedString {
  std::string text;
  ~WipedString() { crypto::detail::wipe(text.data(), text.size()); }
};

std::string errno_text(int error) {
  return std::strerror(error);
}

}  // namespace

PrivateKey::~PrivateKey() {
  crypto::detail::wipe(secret_.data(), secret_.size());
}

Result<PrivateKey> PrivateKey::from_hex(std::string_view text) noexcept {
  PrivateKey key;
  if (auto status = decode_secret(text, key.secret_); !status) return status.take_error();
  key.address_ = derive_address(key.secret_);
  return key;
}

Result<PrivateKey> PrivateKey::load_file(const std::string& path) noexcept {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return make_error(Errc::invalid_key, "cannot open key file " + path + ": " + errno_text(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  struct stat info {};
  if (::fstat(fd, &info) != 0)
    return make_error(Errc::invalid_key, "cannot stat key file " + path + ": " + errno_text(errno));
  if (!S_ISREG(info.st_mode))
    return make_error(Errc::invalid_key, "key file " + path + " is not a regular file");
  // Like ssh: any group/other access is refused, since a writable file lets another user swap the
  // signer as surely as a readable one leaks it.
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return make_error(Errc::invalid_key, "key file " + path + " has mode " + mode +
                                             " and is accessible by group or others; run: chmod 600 " + path);
  }
  if (info.st_size > static_cast<off_t>(kMaxKeyFileBytes))
    return make_error(Errc::invalid_key,
                      "key file " + path + " is larger than " + std::to_string(kMaxKeyFileBytes) + " bytes");

  WipedString content;
  content.text.resize(kMaxKeyFileBytes + 1);
  std::size_t used = 0;
  while (used < content.text.size()) {
    const ssize_t got = ::read(fd, content.text.data() + used, content.text.size() - used);
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(Errc::invalid_key, "cannot read key file " + path + ": " + errno_text(errno));
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  if (used > kMaxKeyFileBytes)
    return make_error(Errc::invalid_key,
                      "key file " + path + " is larger than " + std::to_string(kMaxKeyFileBytes) + " bytes");
  auto key = from_hex(std::string_view(content.text.data(), used));
  if (!key) return make_error(Errc::invalid_key, "key file " + path + ": " + key.error().message);
  return key;
}

Result<PrivateKey> PrivateKey::from_env(const std::string& variable) noexcept {
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr)
    return make_error(Errc::invalid_key, "environment variable " + variable + " is not set");
  auto key = from_hex(value);
  if (!key)
    return make_error(Errc::invalid_key, "environment variable " + variable + ": " + key.error().message);
  return key;
}

PrivateKey PrivateKey::generate() noexcept {
  PrivateKey key;
  // A uniformly random 32-byte string is a valid scalar except with probability ~2^-128.
  do {
    crypto::detail::random_bytes(key.secret_.data(), key.secret_.size());
  } while (secp256k1_ec_seckey_verify(crypto::detail::secp256k1_ctx(), key.secret_.data()) != 1);
  key.address_ = derive_address(key.secret_);
  return key;
}

Signature PrivateKey::sign_digest(const Bytes32& digest) const noexcept {
  const secp256k1_context* ctx = crypto::detail::secp256k1_ctx();
  secp256k1_ecdsa_recoverable_signature recoverable;
  Signature out;
  // Default nonce function: RFC 6979 (deterministic), and libsecp256k1 always emits low-s. It only
  // fails for an invalid key, which construction rules out; a zero signature never verifies.
  if (secp256k1_ecdsa_sign_recoverable(ctx, &recoverable, digest.data(), secret_.data(), nullptr, nullptr) !=
      1)
    return Signature{Bytes32{}, Bytes32{}, 27};
  std::array<std::uint8_t, 64> compact{};
  int recovery_id = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, compact.data(), &recovery_id, &recoverable);
  std::copy(compact.begin(), compact.begin() + 32, out.r.bytes.begin());
  std::copy(compact.begin() + 32, compact.end(), out.s.bytes.begin());
  out.v = static_cast<std::uint8_t>(27 + recovery_id);
  return out;
}

std::string PrivateKey::reveal_hex() const {
  return to_hex(secret_);
}

Status write_key_file(const std::string& path, const PrivateKey& key) noexcept {
  // O_EXCL: never overwrite (a lost key is lost money); O_NOFOLLOW: never write through a
  // planted symlink. The mode is forced again with fchmod in case of an unusual umask.
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    if (errno == EEXIST) return make_error(Errc::conflict, "refusing to overwrite existing file " + path);
    return make_error(Errc::io_error, "cannot create key file " + path + ": " + errno_text(errno));
  }
  const auto fail = [&](const std::string& what) -> Status {
    const int error = errno;
    ::close(fd);
    ::unlink(path.c_str());  // no half-written key file left behind
    return make_error(Errc::io_error, what + " key file " + path + ": " + errno_text(error));
  };
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) return fail("cannot set mode of");

  WipedString content;
  try {
    content.text = key.reveal_hex();
    content.text.push_back('\n');
  } catch (...) {
    errno = ENOMEM;
    return fail("out of memory writing");
  }
  std::size_t written = 0;
  while (written < content.text.size()) {
    const ssize_t put = ::write(fd, content.text.data() + written, content.text.size() - written);
    if (put < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    written += static_cast<std::size_t>(put);
  }
  if (::fsync(fd) != 0) return fail("cannot sync");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(path.c_str());
    return make_error(Errc::io_error, "cannot close key file " + path + ": " + errno_text(error));
  }
  return {};
}

}  // namespace x402
