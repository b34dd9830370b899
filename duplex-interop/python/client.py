"""A scripted client on Python websockets (the asyncio API of 10.x), for Duplex's interop tests.

    /usr/bin/python3 client.py [--ca PEM] [--permessage-deflate JSON|false] URL STEP...

It connects to URL (for wss://, trusting only the CA certificates in PEM when given) and runs the steps in order
on that one connection, printing "ok STEP" after each. It offers permessage-deflate as websockets does by default
("permessage-deflate; client_max_window_bits"), or with ClientPerMessageDeflateFactory's arguments given as JSON (for
example '{"server_no_context_takeover": true}'), or not at all with "false". The steps:

    text, utf8, empty-text, binary, empty-binary, big-text, big-binary
                            send a message and check that the echo has the same type and the same bytes
    TYPE:PATTERN:BYTES      the same with a message of TYPE (text, binary) and exactly BYTES bytes (of UTF-8 for
                            text), PATTERN saying which: random (binary: bytes from random.Random(12345); text:
                            printable ASCII picked by them) or compressible (binary: zeros; text: "aé€😀" repeated,
                            then "x" up to the length)
    extensions              print "extensions VALUE", the Sec-WebSocket-Extensions value of the server's response
                            (empty when it agreed to none)
    ping                    send a Ping and wait for the Pong with the same payload, then check that a text
                            message still echoes
    close:CODE:REASON       start the closing handshake with this code and reason
    await-close:TEXT        send TEXT and wait for the server to close

The last step must be one of the two closing steps; the client then prints "closed CODE REASON" with the code and
reason of the Close frame it received and exits 0. Any mismatch, an early close or a timeout prints
"FAIL step: what" on stderr and exits 1.
"""

import asyncio
import json
import random
import re
import ssl
import sys

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

MEBIBYTE = 1024 * 1024
STEP_TIMEOUT = 10.0


class StepFailed(Exception):
    pass


def big_text():
    # Exactly 1 MiB of UTF-8 with 1-, 2-, 3- and 4-byte sequences: 104857 ten-byte units and 6 ASCII bytes.
    return "aé€😀" * 104857 + "xxxxxx"


def big_binary():
    # 1 MiB from a fixed linear congruential sequence, so that a misplaced byte shows.
    out = bytearray(MEBIBYTE)
    x = 12345
    for i in range(MEBIBYTE):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i] = x >> 24
    return bytes(out)


ECHO_STEPS = {
    "text": lambda: "Hello, Duplex",
    "utf8": lambda: "héllo wörld – € 😀 日本語",
    "empty-text": lambda: "",
    "binary": lambda: bytes(range(256)),
    "empty-binary": lambda: b"",
    "big-text": big_text,
    "big-binary": big_binary,
}


SAMPLE_STEP = re.compile(r"(text|binary):(random|compressible):(\d+)")
PRINTABLE = bytes(0x20 + b % 95 for b in range(256))


def sample(kind_, pattern, length):
    """The message of a TYPE:PATTERN:BYTES step."""
    if pattern == "random":
        data = random.Random(12345).randbytes(length)
        return data.translate(PRINTABLE).decode("ascii") if kind_ == "text" else data
    if kind_ == "text":
        return "aé€😀" * (length // 10) + "x" * (length % 10)
    return bytes(length)


def kind(message):
    return "text" if isinstance(message, str) else "binary"


async def echo(ws, sent):
    await ws.send(sent)
    try:
        got = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
    except websockets.ConnectionClosed as e:
        raise StepFailed(f"connection closed with {e.rcvd} while waiting for an echo") from e
    if kind(got) != kind(sent):
        raise StepFailed(f"sent {kind(sent)}, got {kind(got)} back")
    if got != sent:
        raise StepFailed(f"sent {len(sent)} {kind(sent)} units, got {len(got)} different ones back")


async def ping(ws):
    payload = b"duplex-ping"
    pong = await ws.ping(payload)
    # websockets matches the pong to this ping by its payload: the waiter ends only when the same bytes come back.
    await asyncio.wait_for(pong, STEP_TIMEOUT)
    await echo(ws, "after ping")


async def await_close(ws):
    try:
        message = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
    except websockets.ConnectionClosed:
        await asyncio.wait_for(ws.wait_closed(), STEP_TIMEOUT)
        return
    raise StepFailed(f"unexpected {kind(message)} message while waiting for the close")


async def run(url, steps, tls, deflate):
    if deflate is None:
        compression = {}
    elif deflate is False:
        compression = {"compression": None}
    else:
        compression = {"extensions": [ClientPerMessageDeflateFactory(**deflate)]}
    async with websockets.connect(url, ssl=tls, max_size=16 * MEBIBYTE, ping_interval=None,
                                  open_timeout=STEP_TIMEOUT, close_timeout=STEP_TIMEOUT, **compression) as ws:
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            try:
                sample_step = SAMPLE_STEP.fullmatch(step)
                if step in ECHO_STEPS:
                    await echo(ws, ECHO_STEPS[step]())
                elif sample_step:
                    await echo(ws, sample(sample_step[1], sample_step[2], int(sample_step[3])))
                elif step == "extensions":
                    print(f"extensions {ws.response_headers.get('Sec-WebSocket-Extensions', '')}", flush=True)
                elif step == "ping":
                    await ping(ws)
                elif step.startswith("close:") and last:
                    _, code, reason = step.split(":", 2)
                    await asyncio.wait_for(ws.close(int(code), reason), STEP_TIMEOUT)
                elif step.startswith("await-close:") and last:
                    await ws.send(step[len("await-close:"):])
                    await await_close(ws)
                else:
                    raise StepFailed("unknown step, or a closing step that is not the last")
            except asyncio.TimeoutError as e:
                raise StepFailed(f"{step}: nothing arrived within {STEP_TIMEOUT} s") from e
            except StepFailed as e:
                raise StepFailed(f"{step}: {e}") from e
            print(f"ok {step}", flush=True)
        print(f"closed {ws.close_code} {ws.close_reason}", flush=True)


def main():
    args = sys.argv[1:]
    tls = None
    deflate = None
    while len(args) >= 2 and args[0].startswith("--"):
        name, value, args = args[0], args[1], args[2:]
        if name == "--ca":
            # Only this CA: a context that verifies the certificate chain and the host name.
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            tls.load_verify_locations(value)
        elif name == "--permessage-deflate":
            deflate = json.loads(value)
        else:
            sys.stderr.write(f"FAIL usage: unknown option {name}\n")
            return 1
    if len(args) < 2:
        sys.stderr.write("FAIL usage: client.py [--ca PEM] [--permessage-deflate JSON|false] URL STEP...\n")
        return 1
    try:
        asyncio.run(run(args[0], args[1:], tls, deflate))
    except StepFailed as e:
        sys.stderr.write(f"FAIL {e}\n")
        return 1
    except Exception as e:  # noqa: BLE001 - any other failure is a failed run too
        sys.stderr.write(f"FAIL connection: {e!r}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
