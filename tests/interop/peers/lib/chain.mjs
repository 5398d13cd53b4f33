// viem chain objects and v1 network names for the local chain.

import { EVM_NETWORK_CHAIN_ID_MAP } from "@x402/evm/v1";
import { defineChain } from "viem";
import { baseSepolia } from "viem/chains";

/** Chain id of a CAIP-2 `eip155:<id>` network, or NaN. */
export function chainIdOf(network) {
  const m = /^eip155:(\d+)$/.exec(network ?? "");
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * The viem chain for `chainId` with `rpcUrl` as its only endpoint. Chain 84532 is viem's
 * `baseSepolia` (as in the reference e2e peers), pointed at the local RPC by the transport.
 */
export function viemChain(chainId, rpcUrl) {
  if (chainId === baseSepolia.id) {
    return { ...baseSepolia, rpcUrls: { default: { http: [rpcUrl] } } };
  }
  return defineChain({
    id: chainId,
    name: `local-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** The reference's v1 network name for a chain id (e.g. 84532 → "base-sepolia"), if any. */
export function v1NameOf(chainId) {
  for (const [name, id] of Object.entries(EVM_NETWORK_CHAIN_ID_MAP)) {
    if (id === chainId) return name;
  }
  return undefined;
}
