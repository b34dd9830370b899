'use strict';
// A scripted ws client, for Duplex's interop tests:
//   node client.js [--ca PEM] [--permessage-deflate JSON|false] URL STEP...
//
// It connects to URL (for wss://, trusting only the CA certificates in PEM when given) and runs the steps in order
// on that one connection, printing "ok STEP" after each. It offers permessage-deflate as ws does by default, or with
// the perMessageDeflate options given as JSON (for example '{"threshold":0,"serverNoContextTakeover":true}'), or not
// at all with "false". The steps:
//   text, utf8, empty-text, binary, empty-binary, big-text, big-binary
//                           send a message and check that the echo has the same type and the same bytes
//   TYPE:PATTERN:BYTES      the same with a message of TYPE (text, binary) and exactly BYTES bytes (of UTF-8 for
//                           text), PATTERN saying which: random (binary: the linear congruential sequence below;
//                           text: printable ASCII picked by it) or compressible (binary: zeros; text: "aé€😀"
//                           repeated, then "x" up to the length). Payloads.java makes the same messages.
//   extensions              print "extensions VALUE", the Sec-WebSocket-Extensions value of the server's response
//                           (empty when it agreed to none)
//   ping                    send a Ping and wait for the Pong with the same payload, then check that a text
//                           message still echoes
//   close:CODE:REASON       start the closing handshake with this code and reason
//   await-close:TEXT        send TEXT and wait for the server to close
// The last step must be one of the two closing steps; the client then prints "closed CODE REASON" with the code
// and reason of the Close frame it received and exits 0. Any mismatch, an early close or a timeout prints
// "FAIL step: what" on stderr and exits 1.
const fs = require('fs');
const WebSocket = require('ws');

const MEBIBYTE = 1024 * 1024;
const STEP_TIMEOUT_MS = 10000;

function fail(step, what) {
  process.stderr.write(`FAIL ${step}: ${what}\n`);
  process.exit(1);
}

// Exactly 1 MiB of UTF-8 with 1-, 2-, 3- and 4-byte sequences: 104857 ten-byte units and 6 ASCII bytes.
function bigText() {
  return 'aé€😀'.repeat(104857) + 'xxxxxx';
}

// Bytes from a fixed linear congruential sequence, so that a misplaced byte shows.
function randomBytes(length) {
  const bytes = Buffer.alloc(length);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

function bigBinary() {
  return randomBytes(MEBIBYTE);
}

// A message of a TYPE:PATTERN:BYTES step, as described at the top.
function sample(type, pattern, length) {
  let data;
  if (pattern === 'random') {
    data = randomBytes(length);
    if (type === 'text') {
      for (let i = 0; i < length; i++) data[i] = 0x20 + (data[i] % 95);
    }
  } else if (type === 'text') {
    data = Buffer.from('aé€😀'.repeat(Math.floor(length / 10)) + 'x'.repeat(length % 10), 'utf8');
  } else {
    data = Buffer.alloc(length);
  }
  return { binary: type === 'binary', data };
}

const SAMPLE_STEP = /^(text|binary):(random|compressible):(\d+)$/;

const ECHO_STEPS = {
  'text': () => ({ binary: false, data: Buffer.from('Hello, Duplex', 'utf8') }),
  'utf8': () => ({ binary: false, data: Buffer.from('héllo wörld – € 😀 日本語', 'utf8') }),
  'empty-text': () => ({ binary: false, data: Buffer.alloc(0) }),
  'binary': () => ({ binary: true, data: Buffer.from(Array.from({ length: 256 }, (_, i) => i)) }),
  'empty-binary': () => ({ binary: true, data: Buffer.alloc(0) }),
  'big-text': () => ({ binary: false, data: Buffer.from(bigText(), 'utf8') }),
  'big-binary': () => ({ binary: true, data: bigBinary() }),
};

const args = process.argv.slice(2);
const options = { maxPayload: 16 * MEBIBYTE };
while (args.length >= 2 && args[0].startsWith('--')) {
  const [name, value] = args.splice(0, 2);
  if (name === '--ca') {
    options.ca = fs.readFileSync(value);
  } else if (name === '--permessage-deflate') {
    options.perMessageDeflate = JSON.parse(value);
  } else {
    fail('usage', `unknown option ${name}`);
  }
}
const [url, ...steps] = args;
if (!url || steps.length === 0) {
  fail('usage', 'node client.js [--ca PEM] [--permessage-deflate JSON|false] URL STEP...');
}

const ws = new WebSocket(url, options);
let agreedExtensions = '';
ws.on('upgrade', (response) => { agreedExtensions = response.headers['sec-websocket-extensions'] || ''; });
const inbox = [];
const pongs = [];
let waiter = null;
let closed = null;

function wake() {
  if (waiter) {
    const w = waiter;
    waiter = null;
    w();
  }
}

ws.on('message', (data, isBinary) => { inbox.push({ data, binary: isBinary }); wake(); });
ws.on('pong', (data) => { pongs.push(data); wake(); });
ws.on('close', (code, reason) => { closed = { code, reason: reason.toString('utf8') }; wake(); });
ws.on('error', (err) => fail('connection', err.message));

// Waits until take() returns something, failing the step on timeout.
function next(step, take) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => fail(step, `nothing arrived within ${STEP_TIMEOUT_MS} ms`), STEP_TIMEOUT_MS);
    const check = () => {
      const value = take();
      if (value !== undefined) {
        clearTimeout(timer);
        resolve(value);
      } else {
        waiter = check;
      }
    };
    check();
  });
}

function takeMessage(step) {
  return next(step, () => {
    if (inbox.length > 0) return inbox.shift();
    if (closed) fail(step, `connection closed with ${closed.code} "${closed.reason}" while waiting for an echo`);
    return undefined;
  });
}

async function echo(step, expected) {
  ws.send(expected.data, { binary: expected.binary });
  const got = await takeMessage(step);
  if (got.binary !== expected.binary) {
    fail(step, `sent ${expected.binary ? 'binary' : 'text'}, got ${got.binary ? 'binary' : 'text'} back`);
  }
  if (!got.data.equals(expected.data)) {
    fail(step, `sent ${expected.data.length} bytes, got ${got.data.length} different bytes back`);
  }
}

async function ping(step) {
  const payload = Buffer.from('duplex-ping', 'utf8');
  ws.ping(payload);
  const pong = await next(step, () => {
    if (pongs.length > 0) return pongs.shift();
    if (closed) fail(step, `connection closed with ${closed.code} while waiting for the pong`);
    return undefined;
  });
  if (!pong.equals(payload)) {
    fail(step, `pong payload ${pong.toString('hex')} is not the ping's ${payload.toString('hex')}`);
  }
  await echo(step, { binary: false, data: Buffer.from('after ping', 'utf8') });
}

function awaitClose(step) {
  return next(step, () => {
    if (inbox.length > 0) fail(step, `unexpected message while waiting for the close: ${inbox[0].data.length} bytes`);
    return closed || undefined;
  });
}

async function run() {
  await new Promise((resolve) => ws.once('open', resolve));
  for (const [i, step] of steps.entries()) {
    const last = i === steps.length - 1;
    const sampleStep = SAMPLE_STEP.exec(step);
    if (ECHO_STEPS[step]) {
      await echo(step, ECHO_STEPS[step]());
    } else if (sampleStep) {
      await echo(step, sample(sampleStep[1], sampleStep[2], Number(sampleStep[3])));
    } else if (step === 'extensions') {
      console.log(`extensions ${agreedExtensions}`);
    } else if (step === 'ping') {
      await ping(step);
    } else if (step.startsWith('close:') && last) {
      const [, code, reason] = /^close:(\d+):(.*)$/s.exec(step) || fail(step, 'expected close:CODE:REASON');
      ws.close(Number(code), reason);
      closed = await awaitClose(step);
    } else if (step.startsWith('await-close:') && last) {
      ws.send(step.slice('await-close:'.length));
      closed = await awaitClose(step);
    } else {
      fail(step, 'unknown step, or a closing step that is not the last');
    }
    console.log(`ok ${step}`);
  }
  console.log(`closed ${closed.code} ${closed.reason}`);
  process.exit(0);
}

run().catch((err) => fail('run', err.stack || String(err)));
