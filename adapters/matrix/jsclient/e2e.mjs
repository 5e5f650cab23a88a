// A second Matrix client for framebot's end-to-end test (TestJSClient in
// adapters/matrix): matrix-js-sdk with its Rust crypto
// (@matrix-org/matrix-sdk-crypto-wasm), the stack Element Web uses. It asks
// the bot questions through a real homeserver and prints one JSON line per
// check on stdout: {"check": name, "ok": bool, "detail": text}. It pauses
// at {"checkpoint": "cross-sign"} until a line arrives on stdin: the test
// then restarts the bot with cross-signing on. The last line is
// {"done": true}. Logs go to stderr.
//
// Environment: HOMESERVER (client API URL), BOT_USER_ID, USER_LOCALPART and
// USER_PASSWORD (a user in the default device isolation mode),
// STRICT_LOCALPART and STRICT_PASSWORD (a user who only sends room keys to
// cross-signed devices, Element's "never send encrypted messages to
// unverified sessions"), TIMEOUT_MS (per wait, default 60000).

import * as sdk from "matrix-js-sdk";
import { logger } from "matrix-js-sdk/lib/logger.js";
import {
  EventShieldReason,
  OnlySignedDevicesIsolationMode,
} from "matrix-js-sdk/lib/crypto-api/index.js";
import { createInterface } from "node:readline";

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set`);
  }
  return v;
};

const HS = env("HOMESERVER");
const BOT = env("BOT_USER_ID");
const TIMEOUT = Number(process.env.TIMEOUT_MS || 60000);
const QUESTION = "what guarantees does the plan give?";

// matrix-js-sdk and its Rust crypto log a lot below warning level; keep
// warnings and errors (JSCLIENT_LOG_LEVEL=debug: everything), on stderr, as
// stdout carries the results.
const verbose = process.env.JSCLIENT_LOG_LEVEL === "debug";
logger.setLevel(verbose ? "debug" : "warn");
const toStderr = (...args) => process.stderr.write(args.map(String).join(" ") + "\n");
for (const m of ["trace", "debug", "info", "log"]) {
  console[m] = verbose ? toStderr : () => {};
}
console.warn = toStderr;
console.error = toStderr;

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

const stdin = createInterface({ input: process.stdin });
const lines = stdin[Symbol.asyncIterator]();

/** waitUntil polls cond (async allowed) every 100 ms until it returns a truthy value. */
async function waitUntil(what, cond, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await cond();
    if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** relation returns the m.relates_to of ev, decrypted or not. */
function relation(ev) {
  return ev.getContent()["m.relates_to"] || ev.getWireContent()["m.relates_to"] || {};
}

/** A person using Matrix through matrix-js-sdk and its Rust crypto. */
class Person {
  constructor(client, name) {
    this.client = client;
    this.name = name;
    this.fromBot = [];
  }

  static async login(localpart, password, { strict = false, crossSign = false } = {}) {
    const tmp = sdk.createClient({ baseUrl: HS });
    const r = await tmp.loginRequest({
      type: "m.login.password",
      identifier: { type: "m.id.user", user: localpart },
      password,
    });
    const client = sdk.createClient({
      baseUrl: HS,
      userId: r.user_id,
      accessToken: r.access_token,
      deviceId: r.device_id,
    });
    await client.initRustCrypto({ useIndexedDB: false });
    if (crossSign) {
      // As Element does for a new account: cross-signing keys, uploaded
      // with the password. A strict client refuses to encrypt without.
      await client.getCrypto().bootstrapCrossSigning({
        authUploadDeviceSigningKeys: (makeRequest) => makeRequest({
          type: "m.login.password",
          identifier: { type: "m.id.user", user: localpart },
          password,
        }),
      });
    }
    if (strict) {
      client.getCrypto().setDeviceIsolationMode(new OnlySignedDevicesIsolationMode());
    }
    const p = new Person(client, `${localpart}/${r.device_id}`);
    client.on(sdk.RoomEvent.Timeline, (ev, _room, toStart) => {
      if (!toStart && ev.getSender() === BOT) {
        p.fromBot.push(ev);
      }
    });
    const prepared = new Promise((resolve) => {
      client.on(sdk.ClientEvent.Sync, (state) => {
        if (state === "PREPARED") {
          resolve();
        }
      });
    });
    await client.startClient({ initialSyncLimit: 10 });
    await prepared;
    return p;
  }

  stop() {
    this.client.stopClient();
  }

  /** createRoom creates a room with the bot invited and waits until it joined. */
  async createRoom({ encrypted, direct = false, name }) {
    const opts = {
      preset: direct ? "trusted_private_chat" : "private_chat",
      invite: [BOT],
      is_direct: direct,
      name,
      initial_state: encrypted
        ? [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }]
        : [],
    };
    const { room_id: roomId } = await this.client.createRoom(opts);
    await waitUntil(`the bot to join ${roomId}`, () =>
      this.client.getRoom(roomId)?.getMember(BOT)?.membership === "join");
    if (encrypted) {
      await waitUntil(`${roomId} known as encrypted`, () =>
        this.client.getCrypto().isEncryptionEnabledInRoom(roomId));
    }
    return roomId;
  }

  /** send sends a text message (in thread, when given) and returns its event ID. */
  async send(roomId, body, thread) {
    const content = { msgtype: "m.text", body };
    if (thread) {
      content["m.relates_to"] = {
        rel_type: "m.thread",
        event_id: thread,
        is_falling_back: true,
        "m.in_reply_to": { event_id: thread },
      };
    }
    const { event_id: id } = await this.client.sendMessage(roomId, content);
    return id;
  }

  /** reply waits for the bot's reply to eventId, decrypted when encrypted. */
  async reply(eventId) {
    return waitUntil(`the bot's reply to ${eventId}`, () =>
      this.fromBot.find((ev) =>
        !ev.isBeingDecrypted() && !ev.isDecryptionFailure() &&
        relation(ev)["m.in_reply_to"]?.event_id === eventId));
  }

  /** botSigned reports whether a device of the bot is cross-signed by the bot, as this client sees it. */
  async botSigned() {
    const crypto = this.client.getCrypto();
    const devices = (await crypto.getUserDeviceInfo([BOT], true)).get(BOT) || new Map();
    for (const id of devices.keys()) {
      const st = await crypto.getDeviceVerificationStatus(BOT, id);
      if (st?.signedByOwner) {
        return true;
      }
    }
    return false;
  }
}

/** check runs fn as one named check and reports it. */
async function check(name, fn) {
  try {
    const detail = await fn();
    emit({ check: name, ok: true, detail: detail || "" });
    return true;
  } catch (err) {
    emit({ check: name, ok: false, detail: String(err?.stack || err) });
    return false;
  }
}

function assert(cond, msg) {
  if (!cond) {
    throw new Error(msg);
  }
}

/** answer checks ev is an answer with a quote and a source line. */
function assertAnswer(ev) {
  const c = ev.getContent();
  assert(String(c.formatted_body || "").includes("<blockquote>"), `no quote in the answer: ${c.body}`);
  assert(String(c.body || "").includes("— "), `no source line in the answer: ${c.body}`);
}

/** assertDecrypted checks ev was encrypted and this client decrypted it, with no UNSIGNED_DEVICE shield. */
async function assertTrusted(p, ev) {
  assert(ev.isEncrypted(), "the answer was not encrypted");
  assert(!ev.isDecryptionFailure(), `the answer was not decrypted: ${ev.decryptionFailureReason}`);
  const info = await p.client.getCrypto().getEncryptionInfoForEvent(ev);
  assert(info, "no encryption info for the answer");
  assert(info.shieldReason !== EventShieldReason.UNSIGNED_DEVICE,
    "the answer carries the UNSIGNED_DEVICE shield (\"Encrypted by a device not verified by its owner\")");
  return `shield colour ${info.shieldColour}, reason ${info.shieldReason === null ? "none" : EventShieldReason[info.shieldReason]}`;
}

async function main() {
  const strict = await Person.login(env("STRICT_LOCALPART"), env("STRICT_PASSWORD"), { strict: true, crossSign: true });
  let strictRoom;

  // Phase 1: the bot runs without cross-signing.
  await check("a strict user whose key the unsigned bot cannot get is told why", async () => {
    strictRoom = await strict.createRoom({ encrypted: true, name: "strict" });
    const q = await strict.send(strictRoom, `framebot: ${QUESTION}`);
    const notice = await strict.reply(q);
    assert(!notice.isEncrypted(), "the notice was encrypted");
    const body = notice.getContent().body || "";
    assert(body.includes("could not read"), `not the withheld notice: ${body}`);
    return body;
  });

  emit({ checkpoint: "cross-sign" });
  const go = await lines.next();
  assert(!go.done, "stdin closed at the checkpoint");

  // Phase 2: the bot has restarted with cross-signing on.
  await check("the strict user sees the bot's device cross-signed", async () => {
    await waitUntil("the bot's device to be signed by its owner", () => strict.botSigned());
  });
  await check("a strict user gets an encrypted answer once the bot is cross-signed", async () => {
    const q = await strict.send(strictRoom, `framebot: ${QUESTION}`);
    const ev = await strict.reply(q);
    assertAnswer(ev);
    return assertTrusted(strict, ev);
  });
  strict.stop();

  const user = await Person.login(env("USER_LOCALPART"), env("USER_PASSWORD"), { crossSign: true });
  let encRoom;
  await check("a question in a plain room is answered", async () => {
    const room = await user.createRoom({ encrypted: false, name: "plain" });
    const q = await user.send(room, `framebot: ${QUESTION}`);
    const ev = await user.reply(q);
    assert(!ev.isEncrypted(), "the answer in a plain room was encrypted");
    assertAnswer(ev);
  });
  await check("a question in an encrypted room is answered, encrypted, without a warning shield", async () => {
    encRoom = await user.createRoom({ encrypted: true, name: "encrypted" });
    const q = await user.send(encRoom, `framebot: ${QUESTION}`);
    const ev = await user.reply(q);
    assertAnswer(ev);
    return assertTrusted(user, ev);
  });
  await check("a question in a thread and a follow-up without a mention are answered in the thread", async () => {
    const root = await user.send(encRoom, "Thread about the plan");
    const q = await user.send(encRoom, `framebot ${QUESTION}`, root);
    const ev = await user.reply(q);
    const rel = relation(ev);
    assert(rel.rel_type === "m.thread" && rel.event_id === root, `answer not in the thread: ${JSON.stringify(rel)}`);
    const f = await user.send(encRoom, "how many troops would be deployed?", root);
    const ev2 = await user.reply(f);
    const rel2 = relation(ev2);
    assert(rel2.rel_type === "m.thread" && rel2.event_id === root, `follow-up answer not in the thread: ${JSON.stringify(rel2)}`);
    return assertTrusted(user, ev2);
  });
  await check("a direct message without a mention is answered", async () => {
    const dm = await user.createRoom({ encrypted: true, direct: true });
    const q = await user.send(dm, QUESTION);
    const ev = await user.reply(q);
    assertAnswer(ev);
    return assertTrusted(user, ev);
  });
  await check("a new device of the user is answered, and can decrypt the answer", async () => {
    const second = await Person.login(env("USER_LOCALPART"), env("USER_PASSWORD"));
    try {
      const q = await second.send(encRoom, `framebot: ${QUESTION}`);
      const ev = await second.reply(q);
      assertAnswer(ev);
      return assertTrusted(second, ev);
    } finally {
      second.stop();
    }
  });
  user.stop();
  emit({ done: true });
}

main().then(
  () => process.exit(0),
  (err) => {
    emit({ check: "the client ran to the end", ok: false, detail: String(err?.stack || err) });
    process.exit(1);
  },
);
