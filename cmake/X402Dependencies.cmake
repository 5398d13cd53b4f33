# Every third-party dependency is a Debian 12 package (installed by scripts/setup).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json url)
find_package(OpenSSL 3 REQUIRED)
find_package(tomlplusplus 3 REQUIRED)
find_package(CLI11 2 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(spdlog 1.10 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SECP256K1 REQUIRED IMPORTED_TARGET libsecp256k1)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(CRYPTOPP REQUIRED IMPORTED_TARGET libcrypto++)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)

# Node.js runs the pinned solc (tools/package.json) that compiles contracts/ at build time.
find_program(X402_NODE node REQUIRED)
set(X402_TOOLS_DIR ${PROJECT_SOURCE_DIR}/tools CACHE PATH "Pinned npm tools (anvil, solc)")
set(X402_ANVIL ${X402_TOOLS_DIR}/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
    CACHE FILEPATH "anvil binary (npm @foundry-rs/anvil-linux-amd64)")
