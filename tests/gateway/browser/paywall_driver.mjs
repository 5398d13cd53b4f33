// Drives the gateway's browser paywall in a running headless Chromium over the DevTools protocol,
// with a test wallet: a window.ethereum (EIP-1193) shim injected before the page's scripts, whose
// eth_signTypedData_v4 is answered here by signing with a devnet buyer key (viem).
//
//   node --experimental-websocket paywall_driver.mjs --cdp ws://127.0.0.1:P/devtools/browser/ID
//        --url http://127.0.0.1:G/json --key-file F --interop DIR [--timeout-ms 60000]
//
// No npm packages of its own: node 20's built-in WebSocket (flag) and viem from tests/interop.
// Prints one JSON line: {ok, documentStatus, documentHeaders, display, typedData, paymentSignature,
// paymentStatus, content, receipt, transaction, error}. Exit 0 when the paid content appeared.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

function args() {
  const out = { timeoutMs: 60000 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "").replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    out[key] = argv[i + 1];
  }
  for (const required of ["cdp", "url", "keyFile", "interop"]) {
    if (!out[required]) {
      console.error(`missing --${required}`);
      process.exit(2);
    }
  }
  out.timeoutMs = Number(out.timeoutMs);
  return out;
}

const options = args();
const require = createRequire(path.join(path.resolve(options.interop), "package.json"));
const { privateKeyToAccount } = require("viem/accounts");
const account = privateKeyToAccount(readFileSync(options.keyFile, "utf8").trim());

const result = { ok: false, documentStatus: null, documentHeaders: null, display: null, typedData: null,
  paymentSignature: null, paymentStatus: null, content: null, receipt: null, transaction: null, error: null };
const finish = (code) => {
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
};
const deadline = setTimeout(() => {
  result.error = result.error || "timed out";
  finish(1);
}, options.timeoutMs);

// --- a minimal CDP client over one WebSocket (flattened sessions) ----------------------------
const socket = new WebSocket(options.cdp);
let nextId = 1;
const calls = new Map();
const listeners = [];
socket.addEventListener("message", (event) => {
  const message = JSON.parse(event.data);
  if (message.id !== undefined) {
    const call = calls.get(message.id);
    if (!call) return;
    calls.delete(message.id);
    if (message.error) call.reject(new Error(`${call.method}: ${message.error.message}`));
    else call.resolve(message.result);
    return;
  }
  for (const listener of listeners) listener(message);
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  const message = { id, method, params };
  if (sessionId) message.sessionId = sessionId;
  socket.send(JSON.stringify(message));
  return new Promise((resolve, reject) => calls.set(id, { resolve, reject, method }));
}
await new Promise((resolve, reject) => {
  socket.addEventListener("open", resolve, { once: true });
  socket.addEventListener("error", () => reject(new Error("cannot connect to " + options.cdp)), { once: true });
});

// --- the test wallet -----------------------------------------------------------------------
const shim = `(() => {
  const address = ${JSON.stringify(account.address)};
  const pending = new Map();
  let next = 1;
  let chainId = null;
  window.__x402Resolve = (id, result, error) => {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    if (error) call.reject(Object.assign(new Error(error), { code: 4001 }));
    else call.resolve(result);
  };
  window.ethereum = {
    isX402TestWallet: true,
    async request({ method, params }) {
      switch (method) {
        case "eth_requestAccounts":
        case "eth_accounts":
          return [address];
        case "eth_chainId":
          return chainId || "0x1";
        case "wallet_switchEthereumChain":
          chainId = params[0].chainId;
          return null;
        case "eth_signTypedData_v4":
          return new Promise((resolve, reject) => {
            const id = next++;
            pending.set(id, { resolve, reject });
            window.__x402Sign(JSON.stringify({ id, from: params[0], typedData: params[1] }));
          });
        default:
          throw Object.assign(new Error("unsupported method " + method), { code: 4200 });
      }
    },
    on() {},
    removeListener() {},
  };
})();`;

async function signRequest(sessionId, payload) {
  const { id, from, typedData } = JSON.parse(payload);
  let signature = null;
  let error = null;
  try {
    const data = JSON.parse(typedData);
    result.typedData = data;
    if (from.toLowerCase() !== account.address.toLowerCase()) throw new Error("asked to sign for " + from);
    const types = { ...data.types };
    delete types.EIP712Domain;
    // uint fields go to viem as bigints; the page sends decimal strings, as wallets accept.
    const message = { ...data.message };
    for (const field of types[data.primaryType]) {
      if (field.type.startsWith("uint")) message[field.name] = BigInt(message[field.name]);
    }
    signature = await account.signTypedData({ domain: data.domain, types, primaryType: data.primaryType, message });
  } catch (e) {
    error = e.message || String(e);
  }
  const call = `window.__x402Resolve(${id}, ${JSON.stringify(signature)}, ${JSON.stringify(error)})`;
  await send("Runtime.evaluate", { expression: call }, sessionId);
}

async function evaluate(sessionId, expression) {
  const answer = await send("Runtime.evaluate", { expression, returnByValue: true }, sessionId);
  if (answer.exceptionDetails) throw new Error("page: " + answer.exceptionDetails.text);
  return answer.result.value;
}

async function waitFor(sessionId, expression, what, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if (await evaluate(sessionId, expression)) return;
    } catch (e) {
      // navigation in progress
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("timed out waiting for " + what);
}

let targetId = null;
try {
  ({ targetId } = await send("Target.createTarget", { url: "about:blank" }));
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });

  let documentRequestId = null;
  const frameSessions = [];
  listeners.push((message) => {
    if (message.sessionId !== sessionId) return;
    const { method, params } = message;
    if (method === "Target.attachedToTarget" && params.targetInfo.type === "iframe") {
      frameSessions.push(params.sessionId);  // an out-of-process frame (sandboxed frames may be)
    } else if (method === "Runtime.bindingCalled" && params.name === "__x402Sign") {
      signRequest(sessionId, params.payload).catch((e) => (result.error = e.message));
    } else if (method === "Network.requestWillBeSent") {
      if (params.type === "Document" && params.request.url === options.url) documentRequestId = params.requestId;
      const headers = params.request.headers || {};
      for (const [name, value] of Object.entries(headers)) {
        if (name.toLowerCase() === "payment-signature") {
          result.paymentSignature = Buffer.from(value, "base64").toString("utf8");
          result.paymentRequestId = params.requestId;
        }
      }
    } else if (method === "Network.responseReceived") {
      if (params.requestId === documentRequestId && result.documentStatus === null) {
        result.documentStatus = params.response.status;
        result.documentHeaders = params.response.headers;
      }
      if (params.requestId === result.paymentRequestId) result.paymentStatus = params.response.status;
    }
  });

  await send("Network.enable", {}, sessionId);
  await send("Runtime.enable", {}, sessionId);
  await send("Page.enable", {}, sessionId);
  await send("Runtime.addBinding", { name: "__x402Sign" }, sessionId);
  await send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId);
  await send("Page.addScriptToEvaluateOnNewDocument", { source: shim }, sessionId);
  await send("Page.navigate", { url: options.url }, sessionId);

  await waitFor(sessionId, `document.documentElement.dataset.x402 === "ready"`, "the paywall page", 20000);
  result.display = await evaluate(
    sessionId,
    `(() => { const t = (id) => document.getElementById(id).textContent;
       return { title: document.title, price: t("x402-price"), description: t("x402-description"),
                network: t("x402-network"), asset: t("x402-asset"), payTo: t("x402-payto"),
                resource: t("x402-resource") }; })()`,
  );
  await evaluate(sessionId, `document.getElementById("x402-pay").click(), true`);
  await waitFor(sessionId, `["paid", "failed"].includes(document.documentElement.dataset.x402)`, "the payment",
    options.timeoutMs);
  const state = await evaluate(sessionId, `document.documentElement.dataset.x402`);
  const isFrame = await evaluate(sessionId, `(document.getElementById("x402-content") || {}).tagName === "IFRAME"`);
  if (isFrame) {
    // Paid HTML is shown in a sandboxed frame (opaque origin): read it in the frame's own context.
    const until = Date.now() + 10000;
    // Only a fully parsed document counts: mid-parse, the body holds part of the content.
    const read = "document.readyState === 'complete' && document.body ? document.body.innerText : ''";
    while (result.content === null && Date.now() < until) {
      for (const frameSession of frameSessions) {
        const answer = await send("Runtime.evaluate", { expression: read, returnByValue: true }, frameSession)
          .catch(() => null);
        if (answer && answer.result && answer.result.value) result.content = answer.result.value;
      }
      const { frameTree } = await send("Page.getFrameTree", {}, sessionId);
      const child = (frameTree.childFrames || [])[0];
      if (result.content === null && child) {
        const world = await send("Page.createIsolatedWorld", { frameId: child.frame.id, worldName: "x402-test" },
          sessionId).catch(() => null);
        if (world) {
          // The frame may still be loading its document, which replaces the world just made:
          // then try again on the next round.
          const answer = await send("Runtime.evaluate",
            { expression: read, contextId: world.executionContextId, returnByValue: true }, sessionId)
            .catch(() => null);
          if (answer && answer.result && answer.result.value) result.content = answer.result.value;
        }
      }
      if (result.content === null) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    result.contentIsFrame = true;
  } else {
    result.content = await evaluate(sessionId, `(document.getElementById("x402-content") || {}).textContent || null`);
  }
  result.receipt = await evaluate(sessionId, `document.getElementById("x402-receipt").textContent`);
  result.transaction = await evaluate(
    sessionId,
    `(() => { const el = document.getElementById("x402-transaction"); return el ? el.textContent : null; })()`,
  );
  if (state !== "paid") {
    result.error = await evaluate(sessionId, `document.getElementById("x402-status").textContent`);
  } else {
    result.ok = true;
  }
} catch (e) {
  result.error = e.message || String(e);
} finally {
  clearTimeout(deadline);
  if (targetId) await send("Target.closeTarget", { targetId }).catch(() => {});
  socket.close();
}
finish(result.ok ? 0 : 1);
