"""An echo server on Python websockets (the asyncio API of 10.x), for Duplex's interop tests.

    /usr/bin/python3 echo_server.py [--tls-cert PEM --tls-key PEM] [--permessage-deflate JSON]

Run it with the interpreter that has websockets (Debian's /usr/bin/python3 with python3-websockets). It listens
on 127.0.0.1, port 0, with TLS (wss://) when given a certificate and its key. It agrees to permessage-deflate as
websockets does by default (12-bit windows both ways, context takeover), or as ServerPerMessageDeflateFactory's
arguments given as JSON say (for example '{"server_no_context_takeover": true}'). It prints one line on stdout for
each event the test asserts on:

    listening PORT          once, when it accepts connections
    extensions VALUE        a connection opened: the Sec-WebSocket-Extensions value of the server's response, empty
                            when it agreed to none
    ping HEX                a Ping arrived with this payload (websockets answers it with a Pong by itself)
    closed CODE REASON      a connection ended; the code and reason of the Close frame it received
    error MESSAGE           a connection failed

Text is echoed as text and binary as binary. The text message "close:CODE:REASON" makes the server start the
closing handshake with that code and reason instead. The server exits when its standard input ends, so that it
cannot outlive the test that started it.
"""

import argparse
import asyncio
import json
import ssl
import sys
import threading

import websockets
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.legacy.server import WebSocketServerProtocol

MAX_SIZE = 16 * 1024 * 1024


def say(line):
    print(line, flush=True)


class ReportingProtocol(WebSocketServerProtocol):
    # websockets 10 has no hook for received pings; it answers each one by calling pong() with its payload, and
    # this server sends no pong of its own, so every pong() call is the answer to a ping.
    async def pong(self, data=b""):
        payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        say(f"ping {payload.hex()}")
        await super().pong(data)


async def echo(ws):
    say(f"extensions {ws.response_headers.get('Sec-WebSocket-Extensions', '')}")
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith("close:"):
                _, code, reason = message.split(":", 2)
                await ws.close(int(code), reason)
                break
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass
    except Exception as e:  # noqa: BLE001 - reported to the test, which shows it
        say(f"error {e!r}")
    await ws.wait_closed()
    say(f"closed {ws.close_code} {ws.close_reason}")


async def main(tls, deflate):
    loop = asyncio.get_running_loop()
    stdin_ended = asyncio.Event()

    def watch_stdin():
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(stdin_ended.set)

    threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()
    compression = {} if deflate is None else {"extensions": [ServerPerMessageDeflateFactory(**deflate)]}
    async with websockets.serve(echo, "127.0.0.1", 0, create_protocol=ReportingProtocol,
                                max_size=MAX_SIZE, ping_interval=None, ssl=tls, **compression) as server:
        say(f"listening {server.sockets[0].getsockname()[1]}")
        await stdin_ended.wait()


def tls_context(args):
    if args.tls_cert is None and args.tls_key is None:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    return context


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--permessage-deflate", type=json.loads)
    args = parser.parse_args()
    asyncio.run(main(tls_context(args), args.permessage_deflate))
