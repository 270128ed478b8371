"""`alphastream download` against a local HTTPS stand-in for
data.binance.vision (archive_server.py): monthly files where a whole month is
asked, daily ones otherwise, each checked against its .CHECKSUM; a 404, a
wrong checksum and a connection cut mid-file; a second run that completes
the first; and a backtest of what was downloaded."""

import hashlib
import os
import subprocess
import sys
import unittest
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import cli_support as cs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
UM = "data/futures/um"


def publish(root, relative, payload, checksum=None):
    """Writes payload at root/relative and its .CHECKSUM (of payload, or the
    given hex)."""
    path = os.path.join(root, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(payload)
    digest = checksum or hashlib.sha256(payload).hexdigest()
    with open(path + ".CHECKSUM", "w") as f:
        f.write("%s  %s\n" % (digest, os.path.basename(path)))


def zipped(name, text):
    from io import BytesIO
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, text)
    return buffer.getvalue()


class DownloadFromALocalArchive(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = cs.fresh_dir("DownloadFromALocalArchive")
        cls.root = os.path.join(cls.dir, "archive")
        # January 2024 and 1-3 February, generated, one file per day.
        generated = os.path.join(cls.dir, "generated")
        done = cs.run(["simulate", "--out", generated, "--x", cs.X_SYMBOL, "--y", cs.Y_SYMBOL, "--hours",
                       str(24 * 34), "--x-rate", "0.02", "--y-rate", "0.02", "--seed", "5", "--header"])
        if done.returncode != cs.EXIT_OK:
            raise AssertionError(cs.describe(done))
        cls.payloads = {}
        for symbol in (cs.X_SYMBOL, cs.Y_SYMBOL):
            january = ""
            for day in range(1, 32):
                with open(os.path.join(generated, "%s-aggTrades-2024-01-%02d.csv" % (symbol, day))) as f:
                    text = f.read()
                january += text if day == 1 else text.split("\n", 1)[1]
            name = "%s-aggTrades-2024-01" % symbol
            cls.payloads[name] = zipped(name + ".csv", january)
            publish(cls.root, "%s/monthly/aggTrades/%s/%s.zip" % (UM, symbol, name), cls.payloads[name])
            for day in range(1, 4):
                name = "%s-aggTrades-2024-02-%02d" % (symbol, day)
                with open(os.path.join(generated, name + ".csv")) as f:
                    cls.payloads[name] = zipped(name + ".csv", f.read())
                if symbol == cs.Y_SYMBOL and day == 2:
                    continue  # the 404
                wrong = "0" * 64 if symbol == cs.X_SYMBOL and day == 3 else None
                publish(cls.root, "%s/daily/aggTrades/%s/%s.zip" % (UM, symbol, name), cls.payloads[name], wrong)
        cls.cert = os.path.join(cls.dir, "cert.pem")
        key = os.path.join(cls.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cls.cert,
                        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                       check=True, capture_output=True)
        monthly_y = "%s/monthly/aggTrades/%s/%s-aggTrades-2024-01.zip" % (UM, cs.Y_SYMBOL, cs.Y_SYMBOL)
        cls.cut_at = len(cls.payloads[cs.Y_SYMBOL + "-aggTrades-2024-01"]) // 2
        cls.requests = os.path.join(cls.dir, "requests.log")
        cls.monthly_y = "/" + monthly_y
        cls.server = subprocess.Popen([sys.executable, "-B", os.path.join(HERE, "archive_server.py"), "--root",
                                       cls.root, "--cert", cls.cert, "--key", key, "--log", cls.requests,
                                       "--cut", "%s=%d" % (monthly_y, cls.cut_at)],
                                      stdout=subprocess.PIPE, text=True)
        first = cls.server.stdout.readline().split()
        cls.base_url = "https://localhost:%s" % first[1]
        cls.out = os.path.join(cls.dir, "data")

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        cls.server.wait()

    def download(self, *extra):
        return cs.run(["download", "--market", "um", "--symbols", "%s,%s" % (cs.X_SYMBOL, cs.Y_SYMBOL.lower()),
                       "--from", "2024-01-01", "--to", "2024-02-03", "--dir", self.out, "--base-url", self.base_url,
                       "--ca-file", self.cert, "--parallel", "3", "--no-progress"] + list(extra))

    def test_download_verifies_resumes_reports_and_completes_on_a_second_run(self):
        done = self.download()
        # One month and three days a symbol: 8 files; the 404 and the wrong
        # checksum fail the run.
        self.assertEqual(done.returncode, cs.EXIT_FAILURE, cs.describe(done))
        self.assertIn("done    8 files: 6 downloaded", done.stdout)
        self.assertIn("0 already there, 1 missing, 1 failed", done.stdout)
        self.assertIn("%s-aggTrades-2024-02-02.zip: no such file on the server" % cs.Y_SYMBOL, done.stderr)
        self.assertIn("%s-aggTrades-2024-02-03.zip: checksum mismatch: the .CHECKSUM says %s" % (cs.X_SYMBOL, "0" * 64),
                      done.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.out, cs.X_SYMBOL + "-aggTrades-2024-02-03.zip")))
        # The cut monthly file was resumed within the run: whole and equal.
        for name, payload in self.payloads.items():
            path = os.path.join(self.out, name + ".zip")
            if os.path.exists(path):
                with open(path, "rb") as f:
                    self.assertEqual(f.read(), payload, name)
                self.assertTrue(os.path.exists(path + ".CHECKSUM"))
        self.assertEqual(sorted(p for p in os.listdir(self.out) if p.endswith(".part")), [])
        with open(self.requests) as f:
            requests = f.read().splitlines()
        self.assertIn("GET %s -" % self.monthly_y, requests)
        self.assertIn("GET %s bytes=%d-" % (self.monthly_y, self.cut_at), requests)

        # The second run fetches only what is still missing.
        again = self.download()
        self.assertIn("done    8 files: 0 downloaded (0.0 MB), 6 already there, 1 missing, 1 failed", again.stdout)

        # What was downloaded backtests as files given one by one would.
        config = os.path.join(self.dir, "backtest.yaml")
        cs.write_file(config, cs.config_text(ols_window=120, z_window=60, interval_ms=60000))
        bt = cs.run(["backtest", "--config", config, "--out", os.path.join(self.dir, "out"), "--no-progress",
                     "--data", "%s=%s" % (cs.X_SYMBOL, self.out), "--data", "%s=%s" % (cs.Y_SYMBOL, self.out)])
        self.assertEqual(bt.returncode, cs.EXIT_OK, cs.describe(bt))
        self.assertIn("%s: 3 of 3 files read" % cs.X_SYMBOL, bt.stdout)
        self.assertIn("%s: 3 of 3 files read" % cs.Y_SYMBOL, bt.stdout)

    def test_bad_arguments_are_refused_before_any_request(self):
        done = cs.run(["download", "--symbols", "BTCUSDT", "--from", "2024-02-30", "--to", "2024-03-01", "--dir",
                       self.dir])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("--from 2024-02-30: expected a date YYYY-MM-DD", done.stderr)
        done = cs.run(["download", "--symbols", "BTCUSDT", "--from", "2024-03-02", "--to", "2024-03-01", "--dir",
                       self.dir])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("--to 2024-03-01 is before --from 2024-03-02", done.stderr)
        done = cs.run(["download", "--symbols", "BTC/USDT", "--from", "2024-03-01", "--to", "2024-03-01", "--dir",
                       self.dir])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))


if __name__ == "__main__":
    unittest.main()
