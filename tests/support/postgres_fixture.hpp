// A private PostgreSQL server for a test: a fresh cluster (scripts/postgres) in a temp directory on
// a free loopback port, stopped and deleted when the fixture is destroyed. Should the test process
// die first, the script's watcher stops the server and deletes the directory. Clusters are copied
// from a template kept in the build directory (postgres-template/), made on first use.
#pragma once

#include <filesystem>
#include <string>

#include "support/test_support.hpp"

namespace x402::test {

class PostgresFixture {
 public:
  // Starts the server (about two seconds). Throws std::runtime_error with the reason — notably when
  // PostgreSQL 15 is not installed, so a test using it fails loudly instead of skipping.
  PostgresFixture();
  ~PostgresFixture();
  PostgresFixture(const PostgresFixture&) = delete;
  PostgresFixture& operator=(const PostgresFixture&) = delete;

  // libpq conninfo for database x402 as user x402, over 127.0.0.1.
  [[nodiscard]] const std::string& conninfo() const { return conninfo_; }
  // The same server as superuser `postgres` (database postgres), for test manipulation.
  [[nodiscard]] std::string admin_conninfo() const;
  [[nodiscard]] unsigned short port() const { return port_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

  // Stops the server (fast shutdown); start() brings it back on the same port with its data.
  // Both throw std::runtime_error on failure.
  void stop();
  void start();

 private:
  void run_script(const std::vector<std::string>& args, int* exit_code, std::string* error);

  TempDir tmp_;
  std::filesystem::path dir_;
  unsigned short port_ = 0;
  std::string conninfo_;
};

}  // namespace x402::test
