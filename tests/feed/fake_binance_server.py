#!/usr/bin/python3
"""A Binance-like combined-stream websocket server for the stream client tests.

Binds 127.0.0.1 on a free port and prints "port N". Then reads commands, one
per line on stdin, and reports what it observes on stdout, one line each:

  commands                      reports
  send <text>                   (each open connection gets <text>; an aggTrade
                                 frame is remembered for the REST endpoint)
  store <frame>                 (remembered for REST only: a trade "lost in transit")
  rest-delay <ms>               (REST answers wait this long)
  rest-fail <n> <status>        (the next n REST answers are <status>; 429 and
                                 418 with Retry-After: 1)
  stream <interval_ms>          (aggTrade frames with ids 1, 2, ... to every
                                 open connection; each id to all of them)
  pause                         "paused <last id>"; nothing more is sent (stall)
  ping                          "pong <conn>" per answered ping, "ping-timeout <conn>"
  close                         close handshake (1000) on every connection
  drop                          TCP reset on every connection, no close frame
  quit                          exits
                                "open <conn> <path?query>" on each connection
                                "closed <conn> <close code or none>" when it ends
                                "sent <conn> <id>" for the first streamed id of a connection
                                "rest <status> <path?query>" per REST request

Besides the websocket, GET /fapi/v1/aggTrades?symbol=S&fromId=N&limit=L
answers from the remembered trades as Binance does (a JSON array, ids from
N on, at most L), with X-MBX-USED-WEIGHT-1M.

Connections are numbered 1, 2, ... in the order they were accepted.
Options: --cert FILE --key FILE serve TLS.
"""

import argparse
import asyncio
import http
import json
import socket
import ssl
import struct
import sys

import websockets


def report(line):
    print(line, flush=True)


class Server:
    def __init__(self):
        self.connections = {}  # conn id -> websocket
        self.next_id = 1
        self.streaming = None
        self.pausing = False
        self.last_trade_id = 0
        self.history = {}  # symbol -> {agg id: REST object}
        self.rest_delay_s = 0.0
        self.rest_failures = []  # statuses of the next REST answers
        self.rest_weight = 0

    def remember(self, text):
        try:
            data = json.loads(text)["data"]
        except (ValueError, KeyError, TypeError):
            return
        # Only whole trades: tests also send partial and malformed frames.
        if not isinstance(data, dict) or data.get("e") != "aggTrade" or any(k not in data for k in "sapqflTm"):
            return
        self.history.setdefault(data["s"], {})[data["a"]] = {k: data[k] for k in "apqflTm"}

    async def process_request(self, path, headers):
        """websockets' hook: answers REST requests, lets upgrades through."""
        route, _, query = path.partition("?")
        if route != "/fapi/v1/aggTrades":
            return None
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        if self.rest_delay_s:
            await asyncio.sleep(self.rest_delay_s)
        self.rest_weight += 20
        answer_headers = [("Content-Type", "application/json"), ("X-MBX-USED-WEIGHT-1M", str(self.rest_weight))]
        if self.rest_failures:
            status = self.rest_failures.pop(0)
            if status in (429, 418):
                answer_headers.append(("Retry-After", "1"))
            report(f"rest {status} {path}")
            return http.HTTPStatus(status), answer_headers, b'{"code":-1003,"msg":"injected failure"}'
        trades = self.history.get(params.get("symbol"))
        if trades is None:
            report(f"rest 400 {path}")
            return http.HTTPStatus.BAD_REQUEST, answer_headers, b'{"code":-1121,"msg":"Invalid symbol."}'
        from_id = int(params.get("fromId", "0"))
        limit = int(params.get("limit", "500"))
        page = [trades[i] for i in sorted(trades) if i >= from_id][:limit]
        report(f"rest 200 {path}")
        return http.HTTPStatus.OK, answer_headers, json.dumps(page, separators=(",", ":")).encode()

    async def handler(self, websocket, path=None):
        conn = self.next_id
        self.next_id += 1
        self.connections[conn] = websocket
        websocket.first_sent = False
        report(f"open {conn} {websocket.path}")
        try:
            await websocket.wait_closed()
        finally:
            self.connections.pop(conn, None)
            code = websocket.close_code if websocket.close_code is not None else "none"
            report(f"closed {conn} {code}")

    async def broadcast(self, text):
        for conn, websocket in list(self.connections.items()):
            try:
                await websocket.send(text)
            except websockets.ConnectionClosed:
                pass

    async def stream(self, interval_ms):
        # Stops between ids, not inside one: each id goes to every connection.
        while not self.pausing:
            self.last_trade_id += 1
            trade_id = self.last_trade_id
            frame = json.dumps({
                "stream": "btcusdt@aggTrade",
                "data": {"e": "aggTrade", "E": 1700000000000 + trade_id, "s": "BTCUSDT",
                         "a": trade_id, "p": "37000.10", "q": "0.002", "f": trade_id,
                         "l": trade_id, "T": 1700000000000 + trade_id, "m": False},
            }, separators=(",", ":"))
            for conn, websocket in list(self.connections.items()):
                if not websocket.first_sent:
                    websocket.first_sent = True
                    report(f"sent {conn} {trade_id}")
                try:
                    await websocket.send(frame)
                except websockets.ConnectionClosed:
                    pass
            await asyncio.sleep(interval_ms / 1000.0)

    async def ping(self, conn, websocket):
        try:
            waiter = await websocket.ping()
            await asyncio.wait_for(waiter, timeout=5)
            report(f"pong {conn}")
        except (asyncio.TimeoutError, websockets.ConnectionClosed):
            report(f"ping-timeout {conn}")

    async def command(self, line):
        verb, _, argument = line.partition(" ")
        if verb == "send":
            self.remember(argument)
            await self.broadcast(argument)
        elif verb == "store":
            self.remember(argument)
        elif verb == "rest-delay":
            self.rest_delay_s = int(argument) / 1000.0
        elif verb == "rest-fail":
            count, status = argument.split()
            self.rest_failures += [int(status)] * int(count)
        elif verb == "stream":
            if self.streaming is None:
                self.streaming = asyncio.create_task(self.stream(int(argument)))
        elif verb == "pause":
            if self.streaming is not None:
                self.pausing = True
                await self.streaming
                self.streaming = None
                self.pausing = False
            report(f"paused {self.last_trade_id}")
        elif verb == "ping":
            for conn, websocket in list(self.connections.items()):
                asyncio.create_task(self.ping(conn, websocket))
        elif verb == "close":
            for websocket in list(self.connections.values()):
                asyncio.create_task(websocket.close(1000, "bye"))
        elif verb == "drop":
            for websocket in list(self.connections.values()):
                sock = websocket.transport.get_extra_info("socket")
                # SO_LINGER 0: close() sends a reset, not a FIN.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                websocket.transport.abort()
        elif verb == "quit":
            return False
        else:
            report(f"unknown-command {line}")
        return True


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    tls = None
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert, args.key)
    server = Server()
    async with websockets.serve(server.handler, "127.0.0.1", 0, ssl=tls, ping_interval=None,
                                close_timeout=2, process_request=server.process_request) as ws_server:
        report(f"port {ws_server.sockets[0].getsockname()[1]}")
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while True:
            line = await reader.readline()
            if not line:
                break
            if not await server.command(line.decode().rstrip("\n")):
                break


if __name__ == "__main__":
    asyncio.run(main())
