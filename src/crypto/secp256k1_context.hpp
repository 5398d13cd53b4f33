// The process-wide libsecp256k1 context and the CSPRNG, shared by keys.cpp and secp256k1.cpp.
// Internal: nothing outside src/crypto/ includes this.
#pragma once

#include <secp256k1.h>

#include <cstddef>
#include <cstdint>

namespace x402::crypto::detail {

// Created once (thread-safe static initialisation), randomized with CSPRNG bytes against side
// channels, never destroyed (signing may run during static destruction of other objects).
[[nodiscard]] const secp256k1_context* secp256k1_ctx() noexcept;

// libsodium's randombytes_buf after a once-only sodium_init().
void random_bytes(std::uint8_t* out, std::size_t size) noexcept;

// sodium_memzero: a wipe the compiler may not elide.
void wipe(void* data, std::size_t size) noexcept;

}  // namespace x402::crypto::detail
