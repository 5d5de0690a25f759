// Test host for MCP Apps views: the official AppBridge + PostMessageTransport from
// @modelcontextprotocol/ext-apps, with no MCP client of its own: the test feeds tool results and answers the
// view's tools/call requests (from a queue, a fixed answer, or forwarded to the real server through `forward`).
// Driven from playwright through window.host (tests/browser/test_document_view.py).
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

type Json = any;
type Answer = Json | ((args: Json, name: string) => Json | Promise<Json>);

const HOST_INFO = { name: "extapps-test-host", version: "1.0.0" };
const HOST_CAPS = {
  serverTools: {},
  openLinks: {},
  downloadFile: {},
  logging: {},
  message: { text: {} },
  updateModelContext: { text: {} },
};

let bridge: AppBridge | null = null;
let iframe: HTMLIFrameElement | null = null;
let blobUrl = "";

const host = {
  /** every tools/call the view made: {name, arguments} */
  calls: [] as { name: string; arguments: Json }[],
  /** answers[name] = CallToolResult, or (args, name) => CallToolResult; used when queue is empty */
  answers: {} as Record<string, Answer>,
  /** when set, a call with no queued or fixed answer goes here (the test forwards it to the real server) */
  forward: null as null | ((name: string, args: Json) => Promise<Json>),
  /** queue[name] = [result, ...]: consumed first-in-first-out before answers[name] */
  queue: {} as Record<string, Answer[]>,
  /** other view->host traffic: ui/message, ui/open-link, size-changed, logging, model context */
  events: [] as { type: string; params: Json }[],
  /** raw JSON-RPC messages posted by the view (for protocol assertions) */
  wire: [] as Json[],
  initialized: false,
  appInfo: null as Json,
  appCapabilities: null as Json,

  /** Embed view HTML in a sandboxed iframe (srcdoc by default, or a blob: URL);
   *  resolves after the view sent ui/notifications/initialized. */
  async load(html: string, opts: { hostContext?: Json; hostCapabilities?: Json; sandbox?: string; via?: "srcdoc" | "blob"; width?: number; height?: number } = {}) {
    await host.unload();
    host.calls.length = 0; host.events.length = 0; host.wire.length = 0; host.initialized = false;
    iframe = document.createElement("iframe");
    iframe.id = "view";
    iframe.setAttribute("sandbox", opts.sandbox ?? "allow-scripts");
    iframe.style.cssText = `border:1px solid #ccc;width:${opts.width ?? 600}px;height:${opts.height ?? 300}px`;
    document.getElementById("slot")!.appendChild(iframe);

    const hostContext = {
      theme: "light", locale: "en-US", timeZone: "UTC", platform: "web", displayMode: "inline",
      availableDisplayModes: ["inline"], containerDimensions: { maxHeight: 2000, width: opts.width ?? 600 },
      ...(opts.hostContext || {}),
    };
    const b = new AppBridge(null, HOST_INFO, opts.hostCapabilities ?? HOST_CAPS, { hostContext });
    bridge = b;
    b.oncalltool = async (params) => {
      const name = params.name, args = params.arguments ?? {};
      host.calls.push({ name, arguments: args });
      const q = host.queue[name];
      const a = q && q.length ? q.shift() : host.answers[name];
      if (a === undefined && host.forward) return await host.forward(name, args);
      if (a === undefined) return { isError: true, content: [{ type: "text", text: `no test answer for ${name}` }] };
      return typeof a === "function" ? await a(args, name) : a;
    };
    b.onmessage = async (p) => { host.events.push({ type: "message", params: p }); return {}; };
    b.onopenlink = async (p) => { host.events.push({ type: "open-link", params: p }); return {}; };
    b.onupdatemodelcontext = async (p) => { host.events.push({ type: "update-model-context", params: p }); return {}; };
    b.ondownloadfile = async (p) => { host.events.push({ type: "download-file", params: p }); return {}; };
    b.onloggingmessage = (p) => { host.events.push({ type: "log", params: p }); };
    b.onrequestteardown = (p) => { host.events.push({ type: "request-teardown", params: p }); };
    b.onsizechange = (p) => {
      host.events.push({ type: "size-changed", params: p });
      if (p.height && iframe) iframe.style.height = `${p.height}px`;
    };
    const initialized = new Promise<void>((resolve) => {
      b.oninitialized = () => {
        host.initialized = true;
        host.appInfo = b.getAppVersion() ?? null;
        host.appCapabilities = b.getAppCapabilities() ?? null;
        resolve();
      };
    });
    // The WindowProxy of an iframe survives navigation, so the transport can be bound
    // before srcdoc is set; connect first so ui/initialize is never missed.
    const win = iframe.contentWindow!;
    await b.connect(new PostMessageTransport(win, win));
    if (opts.via === "blob") iframe.src = blobUrl = URL.createObjectURL(new Blob([html], { type: "text/html" }));
    else iframe.srcdoc = html;
    await initialized;
  },

  sendToolInput(args: Json) { return need().sendToolInput({ arguments: args }); },
  sendToolInputPartial(args: Json) { return need().sendToolInputPartial({ arguments: args }); },
  sendToolResult(result: Json) { return need().sendToolResult(result); },
  sendToolCancelled(reason?: string) { return need().sendToolCancelled({ reason }); },
  /** full new host context; the bridge diffs it and sends ui/notifications/host-context-changed */
  setHostContext(ctx: Json) { return need().setHostContext(ctx); },
  /** host -> view ping request; resolves with the view's answer ({}) */
  ping() { return need().request({ method: "ping" }); },
  /** host -> view ui/resource-teardown request; resolves with the view's answer */
  teardown() { return need().teardownResource({}); },

  async unload() {
    if (bridge) { try { await bridge.close(); } catch { /* ignore */ } }
    bridge = null;
    iframe?.remove();
    iframe = null;
    if (blobUrl) URL.revokeObjectURL(blobUrl);
    blobUrl = "";
  },
};

function need(): AppBridge {
  if (!bridge || !host.initialized) throw new Error("view not loaded/initialized: await host.load(html) first");
  return bridge;
}

window.addEventListener("message", (e) => {
  if (iframe && e.source === iframe.contentWindow) host.wire.push(e.data);
});

(window as any).host = host;
