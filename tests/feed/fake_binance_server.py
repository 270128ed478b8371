#!/usr/bin/python3
"""A Binance-like combined-stream websocket server for the stream client tests.

Binds 127.0.0.1 on a free port and prints "port N". Then reads commands, one
per line on stdin, and reports what it observes on stdout, one line each:

  commands                      reports
  send <text>                   (each open connection gets <text>)
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

Connections are numbered 1, 2, ... in the order they were accepted.
Options: --cert FILE --key FILE serve TLS.
"""

import argparse
import asyncio
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
            await self.broadcast(argument)
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
                                close_timeout=2) as ws_server:
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
