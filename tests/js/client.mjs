// A Matrix user as Element Web is one: matrix-js-sdk 43 with its Rust crypto
// (@matrix-org/matrix-sdk-crypto-wasm), in-memory crypto store, driven by JSON lines.
//
// stdin:  one command per line   {"id": 1, "cmd": "login", ...}
// stdout: one answer per command {"id": 1, "ok": true, ...} or {"id": 1, "ok": false, "error": "..."}
// Logs of the js-sdk go to stderr. Commands (see tests/helpers/js_client.py):
//   login {homeserver, user_id, password, device_name?, isolation?: "all"|"only_signed", auto_join?: true}
//   set_isolation {mode: "all"|"only_signed"}  (only_signed: OnlySignedDevicesIsolationMode, Element's "exclude insecure devices")
//   bootstrap_cross_signing {password, secrets_file?}  -- the user's own cross-signing, as Element sets it up
//        (secrets_file: the private keys kept between logins of the same user, so no reset)
//   create_dm {user_id, encrypted?: true}        -> {room_id}
//   join {room_id}
//   invites                                      -> {rooms: [room_id…]}  rooms this user is invited to (not joined)
//   send_text {room_id, body, html?}             -> {event_id}
//   send_edit {room_id, event_id, body}          -> {event_id}
//   send_poll_response {room_id, poll_id, answers, stable?: false} -> {event_id}
//   send_event {room_id, type, content}          -> {event_id}
//   send_reaction {room_id, event_id, key}       -> {event_id}
//   wait_event {room_id?, sender?, type?, contains?, reply_to?, timeout_ms?, failure_grace_ms?}
//        -> {event: {event_id, room_id, sender, type, content, encrypted, decrypted, failure,
//                    shield: {colour, reason}}}   (each event is returned once)
//   history {room_id?, sender?}                  -> {events: [...]}  every event seen so far (not consumed)
//   keys_query {user_id}                         -> {answer}  the homeserver's raw /keys/query answer
//   device_status {user_id}                      -> {cross_signing_keys, devices: {id: {signed_by_owner, ...}}}
//        (the verdict needs a tracked user: someone the client shares an encrypted room with)
//   user_status {user_id}                        -> {verified, was_verified, needs_user_approval}
//        (needs_user_approval: the pinned identity changed; Element shows "identity was reset")
//   encrypted_room {room_id}                     -> {encrypted}
//   download {content}                           -> {text, mimetype}  an m.file's attachment, fetched with the
//        user's token (authenticated media) and, when encrypted, checked (sha256) and decrypted
//        (AES-CTR, WebCrypto) as Element does
//   stop
if (!Promise.withResolvers) {  // js-sdk 43 wants Node 22; Debian has Node 20
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
await import("fake-indexeddb/auto");
const sdk = await import("matrix-js-sdk");
const { logger } = await import("matrix-js-sdk/lib/logger.js");
const cryptoApi = await import("matrix-js-sdk/lib/crypto-api/index.js");
const readline = await import("node:readline");

// The js-sdk logs to the console (stdout): send all of it to stderr, stdout is our protocol.
for (const level of ["trace", "debug", "info", "log", "warn", "error"]) {
  console[level] = (...args) => process.stderr.write(args.map(String).join(" ") + "\n");
}
logger.setLevel(process.env.JS_CLIENT_LOG || "warn");

let client = null;
let me = "";
const records = [];  // every timeline event seen: {event, consumed, failedAt}
const waiters = new Set();

function emit(obj) { process.stdout.write(JSON.stringify(obj) + "\n"); }
function wake() { for (const w of [...waiters]) w(); }

function isolationMode(mode) {
  if (mode === "only_signed") return new cryptoApi.OnlySignedDevicesIsolationMode();
  if (mode === "all" || !mode) return new cryptoApi.AllDevicesIsolationMode(false);
  throw new Error(`unknown isolation mode ${mode}`);
}

function record(event) {
  if (event.getSender() === me) return;
  let rec = records.find((r) => r.event === event);
  if (!rec) { rec = { event, consumed: false, failedAt: 0 }; records.push(rec); }
  if (event.isDecryptionFailure()) { if (!rec.failedAt) rec.failedAt = Date.now(); } else rec.failedAt = 0;
  wake();
}

async function describe(event) {
  let shield = null;
  if (event.isEncrypted() && !event.isDecryptionFailure()) {
    const info = await client.getCrypto().getEncryptionInfoForEvent(event);
    if (info) {
      shield = { colour: cryptoApi.EventShieldColour[info.shieldColour],
                 reason: info.shieldReason === null ? null : cryptoApi.EventShieldReason[info.shieldReason] };
    }
  }
  return {
    event_id: event.getId(), room_id: event.getRoomId(), sender: event.getSender(), type: event.getType(),
    content: event.getContent(), encrypted: event.isEncrypted(), decrypted: !event.isDecryptionFailure(),
    failure: event.isDecryptionFailure() ? String(event.decryptionFailureReason) : null, shield,
  };
}

function matches(rec, f, grace) {
  const e = rec.event;
  if (rec.consumed || e.isBeingDecrypted() || e.shouldAttemptDecryption()) return false;
  if (f.room_id && e.getRoomId() !== f.room_id) return false;
  if (f.sender && e.getSender() !== f.sender) return false;
  if (e.isDecryptionFailure()) return Date.now() - rec.failedAt >= grace;  // reported: it never decrypted
  if (f.type && e.getType() !== f.type) return false;
  if (f.contains && !JSON.stringify(e.getContent()).includes(f.contains)) return false;
  if (f.reply_to && e.getContent()["m.relates_to"]?.["m.in_reply_to"]?.event_id !== f.reply_to) return false;
  return true;
}

async function waitEvent(f) {
  const timeout = f.timeout_ms ?? 30000, grace = f.failure_grace_ms ?? 5000;
  const deadline = Date.now() + timeout;
  for (;;) {
    const rec = records.find((r) => matches(r, f, grace));
    if (rec) { rec.consumed = true; return { event: await describe(rec.event) }; }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timeout: no event matching ${JSON.stringify(f)}`);
    await new Promise((resolve) => {
      const w = () => { waiters.delete(w); clearTimeout(t); resolve(); };
      const t = setTimeout(w, Math.min(left, 250));
      waiters.add(w);
    });
  }
}

async function login(c) {
  const tmp = sdk.createClient({ baseUrl: c.homeserver });
  const resp = await tmp.loginRequest({
    type: "m.login.password", identifier: { type: "m.id.user", user: c.user_id }, password: c.password,
    initial_device_display_name: c.device_name || "js-sdk test client",
  });
  me = resp.user_id;
  client = sdk.createClient({ baseUrl: c.homeserver, userId: resp.user_id, accessToken: resp.access_token,
                              deviceId: resp.device_id });
  await client.initRustCrypto({ useIndexedDB: false });
  client.getCrypto().setDeviceIsolationMode(isolationMode(c.isolation));
  client.on(sdk.RoomEvent.Timeline, (event, room, toStartOfTimeline, removed, data) => {
    if (toStartOfTimeline || !data?.liveEvent) return;
    record(event);
  });
  client.on(sdk.MatrixEventEvent.Decrypted, (event) => { if (records.some((r) => r.event === event)) record(event); });
  if (c.auto_join !== false) {
    client.on(sdk.RoomMemberEvent.Membership, (event, member) => {
      if (member.userId === me && member.membership === "invite") {
        client.joinRoom(member.roomId).catch((err) => console.error("join failed", member.roomId, err));
      }
    });
  }
  const ready = new Promise((resolve, reject) => {
    client.on(sdk.ClientEvent.Sync, (state) => {
      if (state === "PREPARED" || state === "SYNCING") resolve();
      if (state === "ERROR") reject(new Error("initial sync failed"));
    });
  });
  await client.startClient({ initialSyncLimit: 0, lazyLoadMembers: false });
  await ready;
  return { user_id: me, device_id: resp.device_id };
}

async function deviceStatus(c) {
  const crypto = client.getCrypto();
  const devices = await crypto.getUserDeviceInfo([c.user_id], true);
  const out = {};
  for (const [id, device] of devices.get(c.user_id) || new Map()) {
    const st = await crypto.getDeviceVerificationStatus(c.user_id, id);
    out[id] = { known: st !== null, signed_by_owner: st?.signedByOwner ?? false, cross_signing_verified: st?.crossSigningVerified ?? false,
                locally_verified: st?.localVerified ?? false, ed25519: device.getFingerprint() };
  }
  return { cross_signing_keys: await crypto.userHasCrossSigningKeys(c.user_id, true), devices: out };
}

async function sendAndId(roomId, type, content) {
  const resp = await client.sendEvent(roomId, type, content);
  return { event_id: resp.event_id };
}

const commands = {
  login,
  async set_isolation(c) { client.getCrypto().setDeviceIsolationMode(isolationMode(c.mode)); return {}; },
  async bootstrap_cross_signing(c) {
    // As Element: the user's cross-signing. The private keys of a user's earlier (in-memory) client
    // come from `secrets_file` if given (as Element gets them from another device or the recovery
    // key), so a second login is the same identity; otherwise the identity is created (or reset).
    const crypto = client.getCrypto();
    const fs = await import("node:fs");
    if (c.secrets_file && fs.existsSync(c.secrets_file)) {
      await crypto.importSecretsBundle(JSON.parse(fs.readFileSync(c.secrets_file, "utf8")));
      await crypto.crossSignDevice(client.getDeviceId());
    } else {
      await crypto.bootstrapCrossSigning({
        setupNewCrossSigning: true,
        authUploadDeviceSigningKeys: async (makeRequest) => {
          await makeRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: me },
                              password: c.password });
        },
      });
      if (c.secrets_file) fs.writeFileSync(c.secrets_file, JSON.stringify(await crypto.exportSecretsBundle()));
    }
    for (let i = 0; i < 100; i++) {  // until this client trusts its own device (only_signed sending needs it)
      const st = await crypto.getDeviceVerificationStatus(me, client.getDeviceId());
      if (st?.crossSigningVerified) return {};
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("this device never became cross-signing verified");
  },
  async create_dm(c) {
    const initial = c.encrypted === false ? [] : [{ type: "m.room.encryption", state_key: "",
                                                   content: { algorithm: "m.megolm.v1.aes-sha2" } }];
    const resp = await client.createRoom({ is_direct: true, invite: [c.user_id], preset: "trusted_private_chat",
                                           initial_state: initial });
    return { room_id: resp.room_id };
  },
  async join(c) { await client.joinRoom(c.room_id); return {}; },
  async invites() {
    return { rooms: client.getRooms().filter((r) => r.getMyMembership() === "invite").map((r) => r.roomId) };
  },
  async send_text(c) {
    const content = { msgtype: "m.text", body: c.body };
    if (c.html) Object.assign(content, { format: "org.matrix.custom.html", formatted_body: c.html });
    return sendAndId(c.room_id, "m.room.message", content);
  },
  async send_edit(c) {
    return sendAndId(c.room_id, "m.room.message", {
      msgtype: "m.text", body: `* ${c.body}`, "m.new_content": { msgtype: "m.text", body: c.body },
      "m.relates_to": { rel_type: "m.replace", event_id: c.event_id } });
  },
  async send_poll_response(c) {
    const relates = { rel_type: "m.reference", event_id: c.poll_id };
    if (c.stable) return sendAndId(c.room_id, "m.poll.response", { "m.selections": c.answers, "m.relates_to": relates });
    return sendAndId(c.room_id, "org.matrix.msc3381.poll.response",
                     { "org.matrix.msc3381.poll.response": { answers: c.answers }, "m.relates_to": relates });
  },
  async send_event(c) { return sendAndId(c.room_id, c.type, c.content); },
  async send_reaction(c) {
    return sendAndId(c.room_id, "m.reaction",
                     { "m.relates_to": { rel_type: "m.annotation", event_id: c.event_id, key: c.key } });
  },
  async history(c) {
    const out = [];
    for (const r of records) {
      const e = r.event;
      if ((c.room_id && e.getRoomId() !== c.room_id) || (c.sender && e.getSender() !== c.sender)) continue;
      out.push(await describe(e));
    }
    return { events: out };
  },
  async keys_query(c) {
    const answer = await client.http.authedRequest("POST", "/keys/query", undefined,
                                                   { device_keys: { [c.user_id]: [] } });
    return { answer };
  },
  wait_event: waitEvent,
  device_status: deviceStatus,
  async user_status(c) {
    const st = await client.getCrypto().getUserVerificationStatus(c.user_id);
    return { verified: st.isVerified(), was_verified: st.wasCrossSigningVerified(),
             needs_user_approval: st.needsUserApproval };
  },
  async download(c) {
    const content = c.content, file = content.file;
    const [server, mediaId] = (file ? file.url : content.url).slice("mxc://".length).split("/");
    const resp = await fetch(`${client.baseUrl}/_matrix/client/v1/media/download/${server}/${mediaId}`,
                             { headers: { Authorization: `Bearer ${client.getAccessToken()}` } });
    if (!resp.ok) throw new Error(`download failed: ${resp.status}`);
    let data = new Uint8Array(await resp.arrayBuffer());
    if (file) {
      const subtle = globalThis.crypto.subtle;
      const hash = Buffer.from(await subtle.digest("SHA-256", data)).toString("base64").replace(/=+$/, "");
      if (hash !== file.hashes.sha256) throw new Error("attachment hash mismatch");
      const key = await subtle.importKey("jwk", file.key, { name: "AES-CTR" }, false, ["decrypt"]);
      const iv = Buffer.from(file.iv, "base64");
      data = new Uint8Array(await subtle.decrypt({ name: "AES-CTR", counter: iv, length: 64 }, key, data));
    }
    return { text: Buffer.from(data).toString("utf8"), mimetype: content.info?.mimetype ?? "" };
  },
  async encrypted_room(c) { return { encrypted: await client.getCrypto().isEncryptionEnabledInRoom(c.room_id) }; },
  async stop() { client?.stopClient(); setTimeout(() => process.exit(0), 50); return {}; },
};

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  if (!line.trim()) return;
  let c;
  try { c = JSON.parse(line); } catch (err) { emit({ id: null, ok: false, error: `bad JSON: ${err}` }); return; }
  const run = commands[c.cmd];
  if (!run) { emit({ id: c.id, ok: false, error: `unknown command ${c.cmd}` }); return; }
  if (!client && c.cmd !== "login") { emit({ id: c.id, ok: false, error: "login first" }); return; }
  try { emit({ id: c.id, ok: true, ...(await run(c)) }); } catch (err) {
    emit({ id: c.id, ok: false, error: String(err?.stack || err) });
  }
});
lines.on("close", () => { client?.stopClient(); process.exit(0); });
