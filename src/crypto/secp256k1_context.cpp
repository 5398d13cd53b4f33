#include "crypto/secp256k1_context.hpp"

#include <sodium.h>

#include <array>
#include <cstdlib>

namespace x402::crypto::detail {
namespace {

bool sodium_ready() noexcept {
  // sodium_init() is idempotent and thread-safe; -1 means no usable entropy source, which
  // leaves nothing safe to do with keys.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

secp256k1_context* make_context() noexcept {
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if (ctx == nullptr) std::abort();
  std::array<std::uint8_t, 32> seed{};
  random_bytes(seed.data(), seed.size());
  // Blinding only: a failure would leave the context usable but unblinded; refuse that.
  if (secp256k1_context_randomize(ctx, seed.data()) != 1) std::abort();
  wipe(seed.data(), seed.size());
  return ctx;
}

}  // namespace

const secp256k1_context* secp256k1_ctx() noexcept {
  static const secp256k1_context* const ctx = make_context();
  return ctx;
}

void random_bytes(std::uint8_t* out, std::size_t size) noexcept {
  if (!sodium_ready()) std::abort();
  randombytes_buf(out, size);
}

void wipe(void* data, std::size_t size) noexcept {
  sodium_memzero(data, size);
}

}  // namespace x402::crypto::detail
