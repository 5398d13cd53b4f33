// The browser paywall page: static HTML + JS, no external resources, no build step. The gateway
// replaces the __X402_CONFIG__ token with a JSON object (see paywall.cpp):
//   { paymentRequired, requirementIndex, display: {amount, symbol, networkName, chainId, testnet,
//     explorerTxUrl}, appName }
// The script signs an EIP-3009 TransferWithAuthorization with the browser wallet (EIP-1193
// window.ethereum: eth_requestAccounts, eth_chainId, eth_signTypedData_v4), retries the page's URL
// with PAYMENT-SIGNATURE (base64 of the v2 PaymentPayload, compact JSON in the reference key order:
// x402Version, payload{authorization{from,to,value,validAfter,validBefore,nonce},signature},
// extensions?, resource, accepted) and shows what the API returned.
#include "gateway/paywall.hpp"

namespace x402::gateway {

std::string_view paywall_template() noexcept {
  static constexpr std::string_view kPage = R"X402PAGE(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Payment required</title>
<style>
  :root { color-scheme: light dark; --fg: #1d1d1f; --muted: #6e6e73; --bg: #f5f5f7; --card: #fff; --accent: #0052ff; --bad: #c62828; --good: #2e7d32; }
  @media (prefers-color-scheme: dark) { :root { --fg: #f5f5f7; --muted: #a1a1a6; --bg: #111; --card: #1c1c1e; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
  main { max-width: 34rem; margin: 6vh auto; padding: 0 1rem; }
  .card { background: var(--card); border-radius: 14px; padding: 1.5rem 1.75rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
  .lead { color: var(--muted); margin: 0 0 1.25rem; }
  .price { font-size: 2rem; font-weight: 650; margin: .25rem 0 1rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0 0 1.25rem; font-size: .92rem; }
  dt { color: var(--muted); }
  dd { margin: 0; overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
  dd.text { font-family: inherit; font-size: .92rem; }
  button { width: 100%; padding: .8rem 1rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 10px; cursor: pointer; }
  button[disabled] { opacity: .55; cursor: progress; }
  #x402-status { min-height: 1.5rem; margin: .9rem 0 0; font-size: .92rem; }
  #x402-status.error { color: var(--bad); }
  #x402-status.ok { color: var(--good); }
  .testnet { display: inline-block; font-size: .75rem; padding: .05rem .45rem; border-radius: 6px; background: #ffe8a3; color: #5c4400; margin-left: .4rem; vertical-align: middle; }
  #x402-result { display: none; margin-top: 1.25rem; }
  #x402-content { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg); padding: 1rem; border-radius: 10px; font: .85rem/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; max-height: 60vh; overflow: auto; }
  a { color: var(--accent); }
</style>
</head>
<body>
<main>
  <div class="card" id="x402-card">
    <h1 id="x402-title">Payment required</h1>
    <p class="lead" id="x402-lead">This resource costs</p>
    <div class="price" id="x402-price"></div>
    <dl>
      <dt>Description</dt><dd class="text" id="x402-description"></dd>
      <dt>Network</dt><dd class="text" id="x402-network"></dd>
      <dt>Asset</dt><dd id="x402-asset"></dd>
      <dt>Pay to</dt><dd id="x402-payto"></dd>
      <dt>Resource</dt><dd id="x402-resource"></dd>
    </dl>
    <button type="button" id="x402-pay">Connect wallet and pay</button>
    <p id="x402-status" role="status" aria-live="polite"></p>
  </div>
  <section id="x402-result" class="card" aria-label="Paid content">
    <h1>Paid content</h1>
    <p class="lead" id="x402-receipt"></p>
    <div id="x402-content"></div>
  </section>
</main>
<noscript><p style="text-align:center">This page needs JavaScript and a browser wallet to pay.</p></noscript>
<script>
"use strict";
(function () {
  const config = __X402_CONFIG__;
  const required = config.paymentRequired;
  const requirement = required.accepts[config.requirementIndex];
  const display = config.display;
  const $ = (id) => document.getElementById(id);

  function status(text, kind) {
    const el = $("x402-status");
    el.textContent = text;
    el.className = kind || "";
  }

  // --- what is asked ---------------------------------------------------------------------------
  if (config.appName) $("x402-title").textContent = config.appName + ": payment required";
  $("x402-price").textContent = display.amount + " " + display.symbol;
  $("x402-description").textContent = (required.resource && required.resource.description) || "\u2014";
  $("x402-network").textContent = display.networkName + " (" + requirement.network + ")";
  if (display.testnet) {
    const badge = document.createElement("span");
    badge.className = "testnet";
    badge.textContent = "testnet";
    $("x402-network").appendChild(badge);
  }
  $("x402-asset").textContent = requirement.asset;
  $("x402-payto").textContent = requirement.payTo;
  $("x402-resource").textContent = (required.resource && required.resource.url) || location.href;

  // --- encoding helpers ------------------------------------------------------------------------
  function base64Utf8(text) {
    const bytes = new TextEncoder().encode(text);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }
  function decodeHeader(value) {
    if (!value) return null;
    try {
      const binary = atob(value);
      const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      return null;
    }
  }
  function randomNonce() {
    const bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    return "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // --- the EIP-3009 authorization --------------------------------------------------------------
  function typedData(from) {
    const extra = requirement.extra || {};
    if (!extra.name || !extra.version) throw new Error("the requirement has no EIP-712 domain (extra.name/version)");
    const now = Math.floor(Date.now() / 1000);
    const authorization = {
      from: from,
      to: requirement.payTo,
      value: String(requirement.amount),
      validAfter: "0",
      validBefore: String(now + Number(requirement.maxTimeoutSeconds)),
      nonce: randomNonce(),
    };
    return {
      authorization: authorization,
      data: {
        types: {
          EIP712Domain: [
            { name: "name", type: "string" },
            { name: "version", type: "string" },
            { name: "chainId", type: "uint256" },
            { name: "verifyingContract", type: "address" },
          ],
          TransferWithAuthorization: [
            { name: "from", type: "address" },
            { name: "to", type: "address" },
            { name: "value", type: "uint256" },
            { name: "validAfter", type: "uint256" },
            { name: "validBefore", type: "uint256" },
            { name: "nonce", type: "bytes32" },
          ],
        },
        primaryType: "TransferWithAuthorization",
        domain: { name: extra.name, version: extra.version, chainId: display.chainId, verifyingContract: requirement.asset },
        message: authorization,
      },
    };
  }

  function paymentHeader(authorization, signature) {
    // Key order as the reference client emits it; `accepted` is the requirement verbatim.
    const payload = { x402Version: 2, payload: { authorization: authorization, signature: signature } };
    if (required.extensions) payload.extensions = required.extensions;
    payload.resource = required.resource;
    payload.accepted = requirement;
    return base64Utf8(JSON.stringify(payload));
  }

  async function showPaid(response) {
    const settlement = decodeHeader(response.headers.get("PAYMENT-RESPONSE"));
    const type = response.headers.get("Content-Type") || "";
    const body = await response.text();
    $("x402-card").style.display = "none";
    const receipt = $("x402-receipt");
    if (settlement && settlement.transaction) {
      receipt.textContent = "Paid " + display.amount + " " + display.symbol + ". Transaction: ";
      const code = document.createElement("code");
      code.id = "x402-transaction";
      code.textContent = settlement.transaction;
      if (display.explorerTxUrl) {
        const link = document.createElement("a");
        link.href = display.explorerTxUrl + settlement.transaction;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        link.appendChild(code);
        receipt.appendChild(link);
      } else {
        receipt.appendChild(code);
      }
    } else {
      receipt.textContent = "Paid " + display.amount + " " + display.symbol + ".";
    }
    const content = $("x402-content");
    if (/^text\/html/i.test(type)) {
      // Paid HTML runs in a sandbox with an opaque origin: its scripts cannot reach this page
      // (the wallet) or this origin's storage.
      const frame = document.createElement("iframe");
      frame.setAttribute("sandbox", "allow-scripts allow-popups allow-popups-to-escape-sandbox allow-forms");
      frame.title = "Paid content";
      frame.style.cssText = "width:100%;min-height:50vh;border:0;background:#fff";
      frame.srcdoc = body;
      content.replaceWith(frame);
      frame.id = "x402-content";
    } else {
      let text = body;
      if (/json/i.test(type)) {
        try { text = JSON.stringify(JSON.parse(body), null, 2); } catch (e) { /* shown as sent */ }
      }
      content.textContent = text;
    }
    $("x402-result").style.display = "block";
    document.title = "Paid";
    document.documentElement.dataset.x402 = "paid";
  }

  async function pay() {
    const button = $("x402-pay");
    const eth = window.ethereum;
    if (!eth || typeof eth.request !== "function") {
      status("No browser wallet found. Install one (an EIP-1193 wallet such as MetaMask) and reload.", "error");
      return;
    }
    button.disabled = true;
    try {
      status("Connecting the wallet\u2026");
      const accounts = await eth.request({ method: "eth_requestAccounts" });
      if (!accounts || !accounts.length) throw new Error("the wallet returned no account");
      const from = accounts[0];
      try {
        const current = await eth.request({ method: "eth_chainId" });
        if (parseInt(current, 16) !== display.chainId) {
          status("Switching the wallet to " + display.networkName + "\u2026");
          await eth.request({ method: "wallet_switchEthereumChain", params: [{ chainId: "0x" + display.chainId.toString(16) }] });
        }
      } catch (e) {
        // The signature names its chain itself; a wallet that cannot switch may still sign.
      }
      const built = typedData(from);
      status("Confirm the payment in your wallet\u2026");
      const signature = await eth.request({ method: "eth_signTypedData_v4", params: [from, JSON.stringify(built.data)] });
      status("Paying\u2026");
      const response = await fetch(location.href, {
        method: "GET",
        credentials: "same-origin",
        cache: "no-store",
        headers: { "PAYMENT-SIGNATURE": paymentHeader(built.authorization, signature) },
      });
      if (response.ok) {
        status("Paid.", "ok");
        await showPaid(response);
        return;
      }
      const settled = decodeHeader(response.headers.get("PAYMENT-RESPONSE"));
      const again = decodeHeader(response.headers.get("PAYMENT-REQUIRED"));
      let reason = (settled && settled.errorReason) || (again && again.error) || "";
      if (!reason) {
        try { reason = (await response.json()).error || ""; } catch (e) { /* no JSON body */ }
      }
      throw new Error("the server answered " + response.status + (reason ? " (" + reason + ")" : ""));
    } catch (e) {
      const message = e && e.message ? e.message : String(e);
      status("Payment failed: " + message, "error");
      document.documentElement.dataset.x402 = "failed";
    } finally {
      button.disabled = false;
    }
  }

  $("x402-pay").addEventListener("click", pay);
  document.documentElement.dataset.x402 = "ready";
})();
</script>
</body>
</html>
)X402PAGE";
  return kPage;
}

}  // namespace x402::gateway
