// `x402 wallet new | address | balance | fund`: the buyer's key and what it holds.
//   new      a fresh key file (0600, never overwritten); prints the address, never the key unless
//            --show-private-key is given
//   address  the address of a key
//   balance  the token balance over JSON-RPC (human amount and atomic units), and the gas balance
//   fund     devnet only: mint test tokens (the token owner's mint) and add gas ETH (anvil)
#include <filesystem>
#include <iostream>
#include <memory>

#include "chain/evm/blocking.hpp"
#include "chain/evm/sender.hpp"
#include "cli/command.hpp"
#include "cli/key_options.hpp"
#include "crypto/abi.hpp"
#include "devnet/devnet.hpp"
#include "x402/money.hpp"

namespace x402::cli {
namespace {

constexpr const char* kCommand = "wallet";

struct NewArgs {
  std::string out;
  bool show_private_key = false;
};

struct BalanceArgs {
  std::string devnet;
  std::string rpc;
  std::string asset;
  std::string address;
  KeyOptions key;
  bool atomic = false;
};

struct FundArgs {
  std::string devnet;
  std::string to;
  KeyOptions key;
  std::string amount;
  std::string eth = "1";
};

int run_new(const NewArgs& args) {
  const auto key = PrivateKey::generate();
  if (auto status = write_key_file(args.out, key); !status) {
    const int code = status.error().code == Errc::conflict ? kExitUsage : kExitFailure;
    return fail(kCommand, "new: " + status.error().describe(), code);
  }
  std::cout << key.address().checksummed() << '\n';
  if (args.show_private_key) std::cout << "private key: " << key.reveal_hex() << '\n';
  std::cerr << "x402 wallet: new key written to " << args.out << " (mode 0600)\n";
  return kExitOk;
}

int run_address(const KeyOptions& options) {
  auto key = load_key(options);
  if (!key) return fail(kCommand, "address: " + key.error().describe(), kExitUsage);
  std::cout << key->address().checksummed() << '\n';
  return kExitOk;
}

// The account a command is about: --address, else the key's, else (with a devnet) its first buyer.
Result<Address> resolve_account(const std::string& address, const KeyOptions& key,
                                const std::string& devnet_dir, const devnet::DevnetInfo* info) {
  if (!address.empty()) return Address::parse(address);
  if (!key.key_file.empty() || !key.key_env.empty()) {
    auto loaded = load_key(key);
    if (!loaded) return loaded.take_error();
    return loaded->address();
  }
  if (info != nullptr && !info->buyer_key_files.empty()) {
    auto loaded =
        PrivateKey::load_file((std::filesystem::path(devnet_dir) / info->buyer_key_files.front()).string());
    if (!loaded) return loaded.take_error();
    return loaded->address();
  }
  return make_error(Errc::invalid_argument, "which account? give --address, --key-file or --key-env");
}

struct Token {
  Address address;
  unsigned decimals = 6;
  std::string symbol;
};

Result<U256> token_balance(chain::evm::BlockingRpc& rpc, const Address& token, const Address& account) {
  chain::evm::CallRequest call;
  call.to = token;
  call.data = crypto::abi::encode_call("balanceOf", {crypto::abi::Value::address(account)});
  auto data = rpc.run(
      [&](chain::evm::RpcClient& client) { return client.call(call, chain::evm::BlockRef::latest()); });
  if (!data) return make_error(data.error().errc(), "balanceOf: " + data.error().describe());
  return crypto::abi::decode_uint256(*data);
}

// decimals() and symbol() from the token itself.
Result<Token> read_token(chain::evm::BlockingRpc& rpc, const Address& address) {
  Token token;
  token.address = address;
  chain::evm::CallRequest call;
  call.to = address;
  call.data = crypto::abi::encode_call("decimals", {});
  auto decimals = rpc.run(
      [&](chain::evm::RpcClient& client) { return client.call(call, chain::evm::BlockRef::latest()); });
  if (!decimals) return make_error(decimals.error().errc(), "decimals(): " + decimals.error().describe());
  auto value = crypto::abi::decode_uint256(*decimals);
  if (!value || *value > 77)
    return make_error(Errc::invalid_field, "decimals(): not a token at " + address.checksummed());
  token.decimals = static_cast<unsigned>(*value);
  call.data = crypto::abi::encode_call("symbol", {});
  auto symbol = rpc.run(
      [&](chain::evm::RpcClient& client) { return client.call(call, chain::evm::BlockRef::latest()); });
  if (symbol) {
    if (auto text = crypto::abi::decode_string(*symbol)) token.symbol = *text;
  }
  if (token.symbol.empty()) token.symbol = "tokens";
  return token;
}

Result<std::unique_ptr<chain::evm::BlockingRpc>> connect_rpc(const std::string& url) {
  http::ClientOptions options;
  options.connect_timeout = std::chrono::seconds(5);
  options.request_timeout = std::chrono::seconds(30);
  return chain::evm::BlockingRpc::connect(url, options);
}

int run_balance(const BalanceArgs& args) {
  std::optional<devnet::DevnetInfo> info;
  std::string rpc_url = args.rpc;
  std::string asset = args.asset;
  if (!args.devnet.empty()) {
    auto loaded = devnet::load_info(args.devnet);
    if (!loaded) return fail(kCommand, "balance: --devnet: " + loaded.error().describe(), kExitUsage);
    info = std::move(*loaded);
    if (rpc_url.empty()) rpc_url = info->rpc_url;
    if (asset.empty()) asset = info->asset;
  }
  if (rpc_url.empty() || asset.empty())
    return fail(kCommand, "balance: give --rpc URL and --asset ADDR, or --devnet D", kExitUsage);
  auto token_address = Address::parse(asset);
  if (!token_address) return fail(kCommand, "balance: --asset: " + token_address.error().message, kExitUsage);
  auto account = resolve_account(args.address, args.key, args.devnet, info ? &*info : nullptr);
  if (!account) return fail(kCommand, "balance: " + account.error().describe(), kExitUsage);

  auto rpc = connect_rpc(rpc_url);
  if (!rpc) return fail(kCommand, "balance: --rpc: " + rpc.error().describe(), kExitUsage);
  auto token = read_token(**rpc, *token_address);
  if (!token) return fail(kCommand, "balance: " + token.error().describe());
  auto balance = token_balance(**rpc, *token_address, *account);
  if (!balance) return fail(kCommand, "balance: " + balance.error().describe());
  if (args.atomic) {
    std::cout << to_decimal(*balance) << '\n';
    return kExitOk;
  }
  auto gas = (*rpc)->run([&](chain::evm::RpcClient& client) {
    return client.get_balance(*account, chain::evm::BlockRef::latest());
  });
  std::cout << format_units(*balance, token->decimals) << ' ' << token->symbol << " (" << to_decimal(*balance)
            << " atomic units)\n";
  if (gas) std::cout << "gas: " << format_units(*gas, 18) << " ETH (" << to_decimal(*gas) << " wei)\n";
  std::cerr << "x402 wallet: account " << account->checksummed() << ", token " << token_address->checksummed()
            << '\n';
  return kExitOk;
}

int run_fund(const FundArgs& args) {
  auto loaded = devnet::load_info(args.devnet);
  if (!loaded) return fail(kCommand, "fund: --devnet: " + loaded.error().describe(), kExitUsage);
  const auto& info = *loaded;
  auto to = resolve_account(args.to, args.key, args.devnet, nullptr);
  if (!to) return fail(kCommand, "fund: " + to.error().describe(), kExitUsage);
  auto money = parse_money(args.amount);
  if (!money) return fail(kCommand, "fund: --amount: " + money.error().message, kExitUsage);
  auto amount = to_atomic_units(money->decimal, info.asset_decimals);
  if (!amount) return fail(kCommand, "fund: --amount: " + amount.error().message, kExitUsage);
  auto eth_money = parse_money(args.eth);
  if (!eth_money) return fail(kCommand, "fund: --eth: " + eth_money.error().message, kExitUsage);
  auto wei = to_atomic_units(eth_money->decimal, 18);
  if (!wei) return fail(kCommand, "fund: --eth: " + wei.error().message, kExitUsage);
  auto token = Address::parse(info.asset);
  if (!token) return fail(kCommand, "fund: devnet asset: " + token.error().message);
  auto owner = PrivateKey::load_file((std::filesystem::path(args.devnet) / info.owner_key_file).string());
  if (!owner) return fail(kCommand, "fund: devnet owner key: " + owner.error().describe());

  auto rpc = connect_rpc(info.rpc_url);
  if (!rpc) return fail(kCommand, "fund: " + rpc.error().describe());

  if (*amount > 0) {
    chain::evm::TxRequest tx;
    tx.to = *token;
    tx.data = crypto::abi::encode_call(
        "mint", {crypto::abi::Value::address(*to), crypto::abi::Value::uint256(*amount)});
    const auto timeout = std::chrono::milliseconds(30'000);
    auto receipt = (*rpc)->run([&](chain::evm::RpcClient& client) {
      return chain::evm::send_and_wait(client, *owner, info.chain_id, tx, timeout);
    });
    if (!receipt) return fail(kCommand, "fund: mint: " + receipt.error().describe());
    if (!receipt->status)
      return fail(kCommand, "fund: mint reverted (is the devnet token's owner key right?)");
  }
  if (*wei > 0) {
    auto current = (*rpc)->run([&](chain::evm::RpcClient& client) {
      return client.get_balance(*to, chain::evm::BlockRef::latest());
    });
    if (!current) return fail(kCommand, "fund: " + current.error().describe());
    U256 target;
    if (!checked_add(*current, *wei, target)) return fail(kCommand, "fund: --eth: too much", kExitUsage);
    auto set =
        (*rpc)->run([&](chain::evm::RpcClient& client) { return client.anvil_set_balance(*to, target); });
    if (!set) return fail(kCommand, "fund: anvil_setBalance: " + set.error().describe());
  }
  auto balance = token_balance(**rpc, *token, *to);
  const std::string symbol = !info.asset_symbol.empty() ? info.asset_symbol : info.asset_name;
  std::cout << "funded " << to->checksummed() << " with " << format_units(*amount, info.asset_decimals) << ' '
            << symbol << " and " << format_units(*wei, 18) << " ETH";
  if (balance) std::cout << "; balance " << format_units(*balance, info.asset_decimals) << ' ' << symbol;
  std::cout << '\n';
  return kExitOk;
}

const CommandRegistration registration{
    kCommand, [](CLI::App& app) {
      auto* command = app.add_subcommand(
          kCommand, "The buyer's key: create it, show its address and balances, fund it on a devnet.");
      command->require_subcommand(1);

      auto new_args = std::make_shared<NewArgs>();
      auto* create = command->add_subcommand(
          "new",
          "Create a fresh private key in FILE (mode 0600; an existing file is never overwritten) and print\n"
          "its address. The key itself is printed only with --show-private-key.");
      create->add_option("--out", new_args->out, "key file to create")->required();
      create->add_flag("--show-private-key", new_args->show_private_key,
                       "also print the private key (it then sits in your terminal's scrollback)");

      auto address_key = std::make_shared<KeyOptions>();
      auto* address = command->add_subcommand("address", "Print the address of a key.");
      add_key_options(*address, *address_key, true);

      auto balance_args = std::make_shared<BalanceArgs>();
      auto* balance = command->add_subcommand(
          "balance",
          "Token balance over JSON-RPC, as a human amount and in atomic units (plus the gas balance).\n"
          "The account: --address, else the key's, else the devnet's first buyer.");
      balance->add_option("--devnet", balance_args->devnet, "devnet directory (its RPC and token)");
      balance->add_option("--rpc", balance_args->rpc, "JSON-RPC URL");
      balance->add_option("--asset", balance_args->asset, "token contract address");
      balance->add_option("--address", balance_args->address, "account to look at (instead of a key)");
      add_key_options(*balance, balance_args->key, false);
      balance->add_flag("--atomic", balance_args->atomic, "print only the token balance in atomic units");

      auto fund_args = std::make_shared<FundArgs>();
      auto* fund = command->add_subcommand(
          "fund",
          "Devnet only: mint test tokens to an account (signed by the token owner's key from devnet.json)\n"
          "and add gas ETH (anvil_setBalance).");
      fund->add_option("--devnet", fund_args->devnet, "devnet directory")->required();
      fund->add_option("--to", fund_args->to, "account to fund (or give its --key-file / --key-env)");
      add_key_options(*fund, fund_args->key, false);
      fund->add_option("--amount", fund_args->amount, "tokens to mint, e.g. '$5'")->required();
      fund->add_option("--eth", fund_args->eth, "gas ETH to add")->capture_default_str();

      return [=] {
        if (create->parsed()) return run_new(*new_args);
        if (address->parsed()) return run_address(*address_key);
        if (balance->parsed()) return run_balance(*balance_args);
        if (fund->parsed()) return run_fund(*fund_args);
        return fail(kCommand, "expected new, address, balance or fund", kExitUsage);
      };
    }};

}  // namespace
}  // namespace x402::cli
