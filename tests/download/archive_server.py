"""A stand-in for data.binance.vision on loopback: serves a folder over
HTTPS with the same path layout, honours Range requests (so a download can
resume), and can misbehave on purpose.

  archive_server.py --root DIR --cert FILE --key FILE [--log FILE] [--cut PATH=BYTES ...]

--cut: the first GET of PATH (relative to --root) announces the whole
length, sends BYTES bytes and closes the connection; later GETs are served
whole. Prints "port N" on stdout once listening; --log gets a line per
request: "GET <path> <Range header or ->".
"""

import argparse
import http.server
import os
import ssl
import sys
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cut", action="append", default=[])
    parser.add_argument("--log")
    args = parser.parse_args()
    cuts = {}
    for item in args.cut:
        path, _, count = item.rpartition("=")
        cuts["/" + path.lstrip("/")] = int(count)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *values):
            if not args.log:
                return
            with lock, open(args.log, "a") as log:
                log.write("%s %s %s\n" % (self.command, self.path, self.headers.get("Range") or "-"))

        def do_GET(self):
            local = os.path.normpath(os.path.join(args.root, self.path.lstrip("/")))
            if not local.startswith(os.path.abspath(args.root)) or not os.path.isfile(local):
                body = b"not found\n"
                self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            with open(local, "rb") as f:
                data = f.read()
            start = 0
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes=") and rng.endswith("-"):
                start = int(rng[len("bytes="):-1])
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", "bytes */%d" % len(data))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
            else:
                self.send_response(200)
            part = data[start:]
            self.send_header("Content-Length", str(len(part)))
            self.end_headers()
            with lock:
                cut = cuts.pop(self.path, None)
            if cut is not None:
                self.wfile.write(part[:cut])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.write(part)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(args.cert, args.key)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    print("port %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
