"""`alphastream check-config` and `--log-format json`, end to end."""

import json
import os
import unittest

import cli_support as cs

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class CheckConfig(unittest.TestCase):
    def setUp(self):
        self.dir = cs.fresh_dir("check_config")

    def test_the_shipped_configs_pass(self):
        # --skip-bind: they listen on the fixed port 9464, which another
        # test running at the same time may be checking too.
        for name in ("backtest.yaml", "demo.yaml", "alphastream.yaml"):
            path = os.path.join(SOURCE_DIR, "config", name)
            done = cs.run(["check-config", "--skip-bind", path])
            self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
            self.assertIn(path + ": ok:", done.stdout)

    def test_what_run_needs_of_the_machine_is_checked_too(self):
        """Issue 13, finding 7: check-config passed configs that `run` then refused."""
        import socket
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        try:
            path = cs.write_file(os.path.join(self.dir, "machine.yaml"),
                                 "pairs:\n  - {name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}\n"
                                 "plugins: {dir: %s}\n"
                                 "storage: {lmdb: {path: /etc/passwd/journal}}\n"
                                 'metrics: {listen: "127.0.0.1:%d"}\n'
                                 "feed: {source: simulator, simulator: {trades_per_second: 3000}}\n"
                                 % (cs.PLUGIN_DIR, port))
            done = cs.run(["check-config", path])
            self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
            self.assertIn("machine.yaml:6: feed.simulator.trades_per_second: must be at most 1000", done.stderr)
            cs.write_file(path, open(path).read().replace("3000", "300"))
            done = cs.run(["check-config", path])
            self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
            self.assertIn(path + ": storage.lmdb.path: /etc/passwd is not a directory", done.stderr)
            self.assertIn(path + ": metrics.listen: ", done.stderr)
            # A reload's check: the running service holds the address itself.
            done = cs.run(["check-config", "--skip-bind", path])
            self.assertNotIn("metrics.listen", done.stderr)
            self.assertIn("storage.lmdb.path", done.stderr)
        finally:
            holder.close()

    def test_every_model_problem_is_reported_with_its_line_and_nothing_runs(self):
        text = cs.write_file(os.path.join(self.dir, "bad.yaml"), """pairs:
  - name: p
    y: AUSDT
    x: BUSDT
    model: {plugin: ols, params: {window: 1}}
  - name: q
    y: AUSDT
    x: BUSDT
    model: {plugin: microstructure}
symbols:
  - {symbol: AUSDT, model: {plugin: ols}}
metrics: {listen: "127.0.0.1:1"}
""")
        done = cs.run(["check-config", text])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("bad.yaml:5: pairs[0].model.params.window: plugin 'ols' parameter 'window' must be in",
                      done.stderr)
        self.assertIn("bad.yaml:9: pairs[1].model.plugin: plugin 'microstructure' is a symbol model", done.stderr)
        self.assertIn("bad.yaml:11: symbols[0].model.plugin: plugin 'ols' is a pair model", done.stderr)
        self.assertEqual(done.stdout, "")

    def test_a_yaml_error_is_bad_input(self):
        path = cs.write_file(os.path.join(self.dir, "typo.yaml"),
                             "pairs:\n  - {name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}\nengine: {corse: 2}\n")
        done = cs.run(["check-config", path])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("typo.yaml:3: unknown key 'corse' in engine (did you mean 'cores'?)", done.stderr)


class JsonLogs(unittest.TestCase):
    def test_each_log_line_is_one_json_object_with_the_message_escaped(self):
        directory = cs.fresh_dir("json_logs")
        path = cs.write_file(os.path.join(directory, "bad \"quoted\".yaml"),
                             "pairs:\n  - {name: p, y: AUSDT, x: BUSDT, model: {plugin: nosuch}}\n")
        done = cs.run(["--log-format", "json", "check-config", path])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        lines = done.stderr.splitlines()
        self.assertEqual(len(lines), 1, done.stderr)
        entry = json.loads(lines[0])
        self.assertEqual(entry["level"], "error")
        self.assertRegex(entry["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertIsInstance(entry["thread"], int)
        # The message keeps its quotes and newline after the JSON round trip.
        self.assertIn('bad "quoted".yaml:2: pairs[0].model.plugin:', entry["message"])
        self.assertTrue(entry["message"].startswith("invalid config:\n"))

    def test_the_global_log_options_work_after_the_subcommand_too(self):
        directory = cs.fresh_dir("json_logs_after")
        path = cs.write_file(os.path.join(directory, "bad.yaml"),
                             "pairs:\n  - {name: p, y: AUSDT, x: BUSDT, model: {plugin: nosuch}}\n")
        done = cs.run(["check-config", path, "--log-format", "json", "--log-level", "info"])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertEqual(json.loads(done.stderr.splitlines()[0])["level"], "error")
        # A misspelt option is still refused, naming it.
        done = cs.run(["check-config", path, "--log-levl", "info"])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("--log-levl", done.stderr)

    def test_bytes_that_are_not_utf8_become_replacement_characters_and_the_line_stays_json(self):
        """Issue 13, finding 10: invalid UTF-8 from input made the log line invalid JSON."""
        directory = cs.fresh_dir("json_logs_utf8")
        # A file name with a lone 0xFF and a cut 3-byte sequence, then valid UTF-8.
        name = os.fsdecode(b"bad-\xff-\xe2\x82-\xc3\xa9.yaml")
        path = cs.write_file(os.path.join(directory, name), "pairs: [\n")
        done = cs.run(["--log-format", "json", "check-config", path])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        entry = json.loads(done.stderr.splitlines()[0])
        self.assertIn("bad-\ufffd-\ufffd\ufffd-\u00e9.yaml", entry["message"])

    def test_the_config_log_section_chooses_json_unless_the_command_line_says_otherwise(self):
        directory = cs.fresh_dir("json_logs_by_config")
        path = cs.write_file(os.path.join(directory, "c.yaml"),
                             "pairs:\n  - {name: p, y: AUSDT, x: BUSDT, model: {plugin: nosuch}}\n"
                             "log: {format: json}\n")
        done = cs.run(["check-config", path])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertEqual(json.loads(done.stderr.splitlines()[0])["level"], "error")
        done = cs.run(["--log-format", "text", "check-config", path])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertRegex(done.stderr.splitlines()[0], r"^\d{4}-\d\d-\d\dT[\d:.]+Z error invalid config:$")


if __name__ == "__main__":
    unittest.main()
