"""An independent websocket client for binance_simulator_test.cpp.

It uses the `websockets` package (10.4, Debian's /usr/bin/python3), not the
engine's client, so the simulator is checked against a client it shares no
code with. Commands:

  record URL OUT --seconds S [--ca FILE] [--second-after S2]
      Opens a connection (and a second one S2 seconds later), answers pings
      (websockets does so itself), and writes one line per event to OUT:
        <monotonic ns> TAB <connection 0|1> TAB frame TAB <text>
        <monotonic ns> TAB <connection 0|1> TAB closed TAB <close code>
      Stops after S seconds, or earlier once every connection has closed.
  connect URL [--ca FILE]
      Opens the websocket handshake and prints `ok`, `status <code>` when
      the server refused it, or `error <kind>` (e.g. a TLS failure).
  request HOST PORT TARGET [--no-upgrade]
      Sends a websocket upgrade request for TARGET over plain TCP and prints
      the response status code, a tab and the body.
"""

import argparse
import asyncio
import socket
import ssl
import sys
import time

import websockets


def ssl_context(url, ca_file):
    if not url.startswith("wss://"):
        return None
    # Verifies the chain and the host name, as a default client does.
    return ssl.create_default_context(cafile=ca_file)


async def record_connection(index, url, ca_file, delay_s, deadline, out):
    await asyncio.sleep(delay_s)
    # ping_interval=None: the client sends no pings of its own, so every
    # pong the server counts answers one of its pings.
    async with websockets.connect(url, ssl=ssl_context(url, ca_file), ping_interval=None,
                                  max_size=None, open_timeout=5) as ws:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                text = await asyncio.wait_for(ws.recv(), remaining)
            except asyncio.TimeoutError:
                return
            except websockets.ConnectionClosed as closed:
                out.write(f"{time.monotonic_ns()}\t{index}\tclosed\t{closed.code}\n")
                return
            out.write(f"{time.monotonic_ns()}\t{index}\tframe\t{text}\n")


async def record(args):
    deadline = time.monotonic() + args.seconds
    with open(args.out, "w", encoding="utf-8") as out:
        tasks = [record_connection(0, args.url, args.ca, 0, deadline, out)]
        if args.second_after is not None:
            tasks.append(record_connection(1, args.url, args.ca, args.second_after, deadline, out))
        await asyncio.gather(*tasks)


async def connect(args):
    try:
        async with websockets.connect(args.url, ssl=ssl_context(args.url, args.ca), ping_interval=None,
                                      open_timeout=5):
            print("ok")
    except websockets.InvalidStatusCode as refused:
        print(f"status {refused.status_code}")
    except ssl.SSLCertVerificationError as error:
        print(f"error certificate: {error.verify_message}")
    except (OSError, websockets.WebSocketException) as error:
        print(f"error {type(error).__name__}: {error}")


def request(args):
    lines = [f"GET {args.target} HTTP/1.1", f"Host: {args.host}:{args.port}"]
    if not args.no_upgrade:
        lines += ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                  "Sec-WebSocket-Version: 13"]
    with socket.create_connection((args.host, args.port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        response = b""
        while True:  # the server closes after the response
            chunk = sock.recv(4096)
            if not chunk:
                break
            response += chunk
    head, _, body = response.decode().partition("\r\n\r\n")
    status = head.split(" ")[1] if head else "none"
    print(f"{status}\t{body.strip()}")


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record")
    rec.add_argument("url")
    rec.add_argument("out")
    rec.add_argument("--seconds", type=float, required=True)
    rec.add_argument("--ca")
    rec.add_argument("--second-after", type=float)
    con = commands.add_parser("connect")
    con.add_argument("url")
    con.add_argument("--ca")
    req = commands.add_parser("request")
    req.add_argument("host")
    req.add_argument("port", type=int)
    req.add_argument("target")
    req.add_argument("--no-upgrade", action="store_true")
    args = parser.parse_args()
    if args.command == "record":
        asyncio.run(record(args))
    elif args.command == "connect":
        asyncio.run(connect(args))
    else:
        request(args)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
