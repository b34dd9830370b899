'use strict';
// A browser as a WebSocket client, for Duplex's interop tests:
//   node browser.js PAGE_URL WS_URL SUBPROTOCOL STEP...
//
// It starts Debian's Chromium (/usr/bin/chromium, headless) through playwright-core, opens PAGE_URL, so that the
// page has that origin, and runs the steps in the page with the browser's own WebSocket, offering SUBPROTOCOL
// ("-" for none). The browser accepts any certificate (Playwright's ignoreHTTPSErrors), for https: pages and wss:
// connections alike. It prints "ok STEP" after each step:
//   open                    wait for the connection to open; print "protocol NAME" (the subprotocol selected,
//                           ws.protocol) first
//   text, utf8, binary, big-text, big-binary
//                           send a message (binary as an ArrayBuffer) and check that the echo has the same type
//                           and the same bytes
//   TYPE:PATTERN:BYTES      the same with a message of TYPE (text, binary), exactly BYTES bytes (of UTF-8 for text)
//                           and PATTERN random or compressible, as client.js describes
//   extensions              print "extensions VALUE": the extensions the server agreed to, ws.extensions
//   burst                   send 100 messages back to back, text and binary in turn, then check that the 100 echoes
//                           arrive in the order sent, each with its type and bytes
//   await-close:TEXT        send TEXT and wait for the server to close; print "closed CODE WASCLEAN REASON" from
//                           the CloseEvent
//   refused                 wait for the connection to fail instead of opening; print
//                           "refused CODE WASCLEAN error=BOOL" from the CloseEvent and whether an error event came
// Any mismatch, an unexpected open or close, or a timeout prints "FAIL step: what" on stderr and exits 1.
const { chromium } = require('playwright-core');

// The flags that work on these machines: without the background-networking ones Chromium keeps dialling out.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const RUN_TIMEOUT_MS = 45000;

function fail(step, what) {
  process.stderr.write(`FAIL ${step}: ${what}\n`);
  process.exit(1);
}

// Runs in the page: everything it needs is inside it.
async function scenario({ url, protocols, steps }) {
  const STEP_TIMEOUT_MS = 10000;
  const MEBIBYTE = 1024 * 1024;
  const lines = [];
  const inbox = [];
  let waiter = null;
  let opened = false;
  let errored = false;
  let closed = null;

  class StepFailed extends Error {}

  // Exactly 1 MiB of UTF-8 with 1-, 2-, 3- and 4-byte sequences, as in client.js and Payloads.java.
  const bigText = () => 'aé€😀'.repeat(104857) + 'xxxxxx';
  // 1 MiB from the linear congruential sequence of client.js and Payloads.java.
  const bigBinary = () => {
    const bytes = new Uint8Array(MEBIBYTE);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    return bytes.buffer;
  };
  // The messages of TYPE:PATTERN:BYTES steps, as client.js and Payloads.java make them.
  const randomBytes = (length) => {
    const bytes = new Uint8Array(length);
    let x = 12345;
    for (let i = 0; i < length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    return bytes;
  };
  const sample = (type, pattern, length) => {
    if (pattern === 'random') {
      const bytes = randomBytes(length);
      if (type === 'binary') return bytes.buffer;
      let text = '';
      for (let i = 0; i < length; i += 8192) {
        text += String.fromCharCode(...bytes.subarray(i, i + 8192).map((b) => 0x20 + (b % 95)));
      }
      return text;
    }
    if (type === 'text') return 'aé€😀'.repeat(Math.floor(length / 10)) + 'x'.repeat(length % 10);
    return new ArrayBuffer(length);
  };
  const SAMPLE_STEP = /^(text|binary):(random|compressible):(\d+)$/;

  const echoes = {
    'text': () => 'Hello, Duplex',
    'utf8': () => 'héllo wörld – € 😀 日本語',
    'binary': () => Uint8Array.from({ length: 256 }, (_, i) => i).buffer,
    'big-text': bigText,
    'big-binary': bigBinary,
  };

  const wake = () => {
    if (waiter) {
      const w = waiter;
      waiter = null;
      w();
    }
  };
  const ws = new WebSocket(url, protocols);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => { opened = true; wake(); };
  ws.onmessage = (event) => { inbox.push(event.data); wake(); };
  ws.onerror = () => { errored = true; wake(); };
  ws.onclose = (event) => { closed = { code: event.code, reason: event.reason, wasClean: event.wasClean }; wake(); };

  // Waits until take() returns something other than undefined; take() may throw to fail the step.
  const next = (step, take) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new StepFailed(`${step}: nothing within ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS);
    const check = () => {
      let value;
      try {
        value = take();
      } catch (e) {
        clearTimeout(timer);
        reject(e);
        return;
      }
      if (value !== undefined) {
        clearTimeout(timer);
        resolve(value);
      } else {
        waiter = check;
      }
    };
    check();
  });
  const takeMessage = (step) => next(step, () => {
    if (inbox.length > 0) return inbox.shift();
    if (closed) throw new StepFailed(`${step}: closed with ${closed.code} "${closed.reason}" while waiting for an echo`);
    return undefined;
  });

  const kind = (data) => (typeof data === 'string' ? 'text' : 'binary');
  const bytes = (data) => (typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data));
  const check = (step, sent, got) => {
    if (kind(got) !== kind(sent)) throw new StepFailed(`${step}: sent ${kind(sent)}, got ${kind(got)} back`);
    const a = bytes(sent);
    const b = bytes(got);
    if (a.length !== b.length) throw new StepFailed(`${step}: sent ${a.length} bytes, got ${b.length} back`);
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) throw new StepFailed(`${step}: byte ${i} of ${a.length} differs`);
    }
  };

  try {
    for (const [i, step] of steps.entries()) {
      const last = i === steps.length - 1;
      if (step === 'open') {
        await next(step, () => {
          if (closed) throw new StepFailed(`${step}: closed with ${closed.code} before opening`);
          return opened || undefined;
        });
        lines.push(`protocol ${ws.protocol}`);
      } else if (echoes[step] || SAMPLE_STEP.test(step)) {
        const [, type, pattern, length] = SAMPLE_STEP.exec(step) || [];
        const sent = echoes[step] ? echoes[step]() : sample(type, pattern, Number(length));
        ws.send(sent);
        check(step, sent, await takeMessage(step));
      } else if (step === 'extensions') {
        lines.push(`extensions ${ws.extensions}`);
      } else if (step === 'burst') {
        const sent = Array.from({ length: 100 }, (_, n) => (n % 2 === 0
          ? `burst ${n}`
          : Uint8Array.from([n, 0xff - n, 0x00, 0x80]).buffer));
        for (const message of sent) ws.send(message);
        for (const [n, message] of sent.entries()) check(`${step} message ${n}`, message, await takeMessage(step));
      } else if (step.startsWith('await-close:') && last) {
        ws.send(step.slice('await-close:'.length));
        await next(step, () => {
          if (inbox.length > 0) throw new StepFailed(`${step}: unexpected ${kind(inbox[0])} message`);
          return closed || undefined;
        });
        lines.push(`closed ${closed.code} ${closed.wasClean} ${closed.reason}`);
      } else if (step === 'refused' && last) {
        await next(step, () => {
          if (opened) throw new StepFailed(`${step}: the connection opened`);
          return closed || undefined;
        });
        lines.push(`refused ${closed.code} ${closed.wasClean} error=${errored}`);
      } else {
        throw new StepFailed(`${step}: unknown step, or a final step that is not the last`);
      }
      lines.push(`ok ${step}`);
    }
    return { lines };
  } catch (e) {
    return { lines, failure: e instanceof StepFailed ? e.message : String(e && e.stack || e) };
  }
}

async function main() {
  const [pageUrl, url, subprotocol, ...steps] = process.argv.slice(2);
  if (!pageUrl || !url || !subprotocol || steps.length === 0) {
    fail('usage', 'node browser.js PAGE_URL WS_URL SUBPROTOCOL STEP...');
  }
  setTimeout(() => fail('run', `not done within ${RUN_TIMEOUT_MS} ms`), RUN_TIMEOUT_MS).unref();
  // launch() starts Chromium with a new, empty --user-data-dir of its own, removed at close.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  let failure;
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const response = await page.goto(pageUrl, { timeout: 10000 });
    if (!response || !response.ok()) {
      failure = `page: ${pageUrl} answered ${response && response.status()}`;
    } else {
      const protocols = subprotocol === '-' ? [] : [subprotocol];
      const result = await page.evaluate(scenario, { url, protocols, steps });
      for (const line of result.lines) console.log(line);
      failure = result.failure;
    }
  } finally {
    await browser.close();
  }
  if (failure) fail('page', failure);
}

main().catch((err) => fail('run', err.stack || String(err)));
