"""A scripted client on Python websockets (the asyncio API of 10.x), for Duplex's interop tests.

    /usr/bin/python3 client.py [--ca PEM] URL STEP...

It connects to URL (for wss://, trusting only the CA certificates in PEM when given) and runs the steps in order
on that one connection, printing "ok STEP" after each:

    text, utf8, empty-text, binary, empty-binary, big-text, big-binary
                            send a message and check that the echo has the same type and the same bytes
    ping                    send a Ping and wait for the Pong with the same payload, then check that a text
                            message still echoes
    close:CODE:REASON       start the closing handshake with this code and reason
    await-close:TEXT        send TEXT and wait for the server to close

The last step must be one of the two closing steps; the client then prints "closed CODE REASON" with the code and
reason of the Close frame it received and exits 0. Any mismatch, an early close or a timeout prints
"FAIL step: what" on stderr and exits 1.
"""

import asyncio
import ssl
import sys

import websockets

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


async def run(url, steps, tls):
    async with websockets.connect(url, ssl=tls, max_size=16 * MEBIBYTE, ping_interval=None,
                                  open_timeout=STEP_TIMEOUT, close_timeout=STEP_TIMEOUT) as ws:
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            try:
                if step in ECHO_STEPS:
                    await echo(ws, ECHO_STEPS[step]())
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
    if args[:1] == ["--ca"] and len(args) >= 2:
        # Only this CA: a context that verifies the certificate chain and the host name.
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        tls.load_verify_locations(args[1])
        args = args[2:]
    if len(args) < 2:
        sys.stderr.write("FAIL usage: client.py [--ca PEM] URL STEP...\n")
        return 1
    try:
        asyncio.run(run(args[0], args[1:], tls))
    except StepFailed as e:
        sys.stderr.write(f"FAIL {e}\n")
        return 1
    except Exception as e:  # noqa: BLE001 - any other failure is a failed run too
        sys.stderr.write(f"FAIL connection: {e!r}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
