"""The Grafana dashboards (grafana/dashboards) and the Prometheus config
they are read with (config/prometheus). Grafana itself is not run:
the dashboard JSON is checked for what Grafana relies on, and every panel
query, annotation query and template-variable query is run against a real
Prometheus that scraped a real `alphastream run` on its feed simulator,
with the variables substituted as Grafana would. A panel whose query fails
or shows nothing fails the test, named by dashboard, panel and query.

Set by tests/ops/CMakeLists.txt (besides ALPHASTREAM_BIN, ALPHASTREAM_PLUGIN_DIR
and ALPHASTREAM_TEST_WORK_DIR, read by tests/cli/cli_support.py):
  ALPHASTREAM_PROMETHEUS  the prometheus server binary
  ALPHASTREAM_PROMTOOL    its promtool
"""

import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "service"))
import service_support as ss  # noqa: E402  (tests/service, found through sys.path)

SOURCE_DIR = os.path.normpath(os.path.join(HERE, "..", ".."))
DASHBOARD_DIR = os.path.join(SOURCE_DIR, "grafana", "dashboards")
PROVISIONING_DIR = os.path.join(SOURCE_DIR, "grafana", "provisioning")
PROMETHEUS_DIR = os.path.join(SOURCE_DIR, "config", "prometheus")
PROMETHEUS = os.environ.get("ALPHASTREAM_PROMETHEUS", "")
PROMTOOL = os.environ.get("ALPHASTREAM_PROMTOOL", "")

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# The variables each board must offer, besides $datasource.
REQUIRED_VARIABLES = {
    "alphastream-pairs.json": {"job", "instance", "pair", "model"},
    "alphastream-microstructure.json": {"job", "instance", "symbol", "model"},
    "alphastream-engine-health.json": {"job", "instance", "pair", "model"},
    "alphastream-cluster.json": {"job", "ingest", "consumer", "worker"},
}
# The boards of one engine, and the board of several on the bus.
ENGINE_BOARDS = ["alphastream-engine-health.json", "alphastream-microstructure.json", "alphastream-pairs.json"]
CLUSTER_BOARDS = ["alphastream-cluster.json"]
# Grafana's own variables, and what they become in this test: $__interval
# is at least the 15 s Grafana uses as its minimum step; $__range is set to
# the run's length when queried.
GLOBAL_VARIABLES = {"__rate_interval": "1m", "__interval": "15s", "__interval_ms": "15000", "__range": None,
                    "__range_s": None, "__range_ms": None}
# $name, ${name} or ${name:format}, and the deprecated [[name]].
VARIABLE_REFERENCE = re.compile(r"\$(\w+)|\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]")
LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?:(.*?)\s*,\s*)?(\w+)\s*\)\s*$", re.S)
RECORDED_NAME = re.compile(r"\balphastream:[a-zA-Z0-9_:]+")

# Short windows, fast sampling and a low entry threshold: with 10
# observations a second every z-score, ADF p-value and model output is
# finite and signals have fired within ~15 s of the start.
PAIRS = [
    "{name: simx-simy, y: SIMYUSDT, x: SIMXUSDT, models: [{plugin: ols, params: {window: 30}}, {plugin: kalman}, "
    "{plugin: huber, params: {window: 30}}], zscore: {window: 20, entry: 1.0, exit: 0.0, stop: 3.0}, "
    "adf: {window: 40, every: 5, max_pvalue: 0.5}}",
    "{name: simb-sima, y: SIMAUSDT, x: SIMBUSDT, model: {plugin: ols, params: {window: 30}}, "
    "zscore: {window: 20, entry: 1.0, exit: 0.0, stop: 3.0}, adf: {window: 40, every: 5, max_pvalue: 0.5}}",
]
SYMBOLS = [
    "{symbol: SIMXUSDT, model: {plugin: microstructure, params: {window_s: 10, bucket: 0.1}}}",
    "{symbol: SIMAUSDT, model: {plugin: microstructure, params: {window_s: 10, bucket: 0.1}}}",
]
SAMPLING = "{mode: time, interval_ms: 100}"
FEED = "{source: simulator, simulator: {tls: false, trades_per_second: 100, seed: 7}}"
DATA_TIMEOUT_S = 50


def load_dashboards():
    """{file name: parsed dashboard} of every grafana/dashboards/*.json."""
    boards = {}
    for path in sorted(glob.glob(os.path.join(DASHBOARD_DIR, "*.json"))):
        with open(path) as f:
            boards[os.path.basename(path)] = json.load(f)
    return boards


def all_panels(board):
    """Every panel, rows' nested panels included."""
    for panel in board.get("panels", []):
        yield panel
        for nested in panel.get("panels", []):
            yield nested


def variable_query(variable):
    """The query text of a template variable of type query."""
    query = variable.get("query")
    return query.get("query", "") if isinstance(query, dict) else (query or "")


def queries(board):
    """[(where, expr, instant)] of every Prometheus query the board runs:
    panel targets, annotations and template variables."""
    found = []
    for panel in all_panels(board):
        for target in panel.get("targets", []):
            where = "panel %r (id %d) target %s" % (panel.get("title"), panel.get("id"), target.get("refId"))
            found.append((where, target.get("expr", ""), bool(target.get("instant"))))
    for annotation in board["annotations"]["list"]:
        if annotation.get("datasource", {}).get("type") == "prometheus":
            found.append(("annotation %r" % annotation.get("name"), annotation.get("expr", ""), False))
    for variable in board["templating"]["list"]:
        if variable.get("type") == "query":
            found.append(("variable $%s" % variable["name"], variable_query(variable), False))
    return found


def referenced_variables(text):
    return {a or b or c for a, b, c in VARIABLE_REFERENCE.findall(text)}


def substitute(text, values):
    """text with every variable reference replaced by values[name]."""
    return VARIABLE_REFERENCE.sub(lambda m: values[m.group(1) or m.group(2) or m.group(3)], text)


def regex_of(values):
    """What Grafana puts for a multi-value variable in a Prometheus query."""
    escaped = [re.sub(r"([\\^$.|?*+()\[\]{}])", r"\\\\\1", v) for v in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


class DashboardFiles(unittest.TestCase):
    """What Grafana needs of the files, checked without Grafana."""

    @classmethod
    def setUpClass(cls):
        cls.boards = load_dashboards()

    def test_the_boards_parse_with_schema_39_unique_ids_and_grid_positions_that_do_not_overlap(self):
        self.assertEqual(sorted(self.boards), sorted(REQUIRED_VARIABLES))
        uids = [board["uid"] for board in self.boards.values()]
        self.assertEqual(len(set(uids)), len(uids), uids)
        for name, board in self.boards.items():
            self.assertEqual(board["schemaVersion"], 39, name)
            self.assertTrue(board["title"], name)
            ids = [panel["id"] for panel in all_panels(board)]
            self.assertEqual(len(set(ids)), len(ids), "%s: duplicate panel ids %s" % (name, ids))
            cells = {}
            for panel in all_panels(board):
                where = "%s: panel %r" % (name, panel.get("title"))
                pos = panel["gridPos"]
                for key in ("h", "w", "x", "y"):
                    self.assertIsInstance(pos[key], int, where)
                self.assertGreater(pos["w"], 0, where)
                self.assertGreater(pos["h"], 0, where)
                self.assertLessEqual(pos["x"] + pos["w"], 24, where)
                for x in range(pos["x"], pos["x"] + pos["w"]):
                    for y in range(pos["y"], pos["y"] + pos["h"]):
                        self.assertNotIn((x, y), cells, "%s overlaps panel %r" % (where, cells.get((x, y))))
                        cells[(x, y)] = panel.get("title")

    def test_every_panel_target_and_annotation_queries_the_datasource_variable(self):
        for name, board in self.boards.items():
            for panel in all_panels(board):
                where = "%s: panel %r" % (name, panel.get("title"))
                if panel["type"] == "row":
                    continue
                self.assertIn(panel["type"], ("timeseries", "stat", "table", "bargauge", "gauge"), where)
                self.assertEqual(panel.get("datasource"), DATASOURCE, where)
                self.assertTrue(panel.get("targets"), where + " has no targets")
                for target in panel["targets"]:
                    self.assertEqual(target.get("datasource"), DATASOURCE, "%s target %s" % (where, target["refId"]))
                    self.assertTrue(target.get("expr"), "%s target %s" % (where, target["refId"]))
            annotations = [a for a in board["annotations"]["list"] if not a.get("builtIn")]
            for annotation in annotations:
                self.assertEqual(annotation.get("datasource"), DATASOURCE, "%s: annotation %r" % (name, annotation))
        pairs_annotations = [a for a in self.boards["alphastream-pairs.json"]["annotations"]["list"]
                             if "alphastream_signals_total" in a.get("expr", "")]
        self.assertEqual(len(pairs_annotations), 1, "the pairs board marks signals")
        self.assertIn("changes(", pairs_annotations[0]["expr"])

    def test_every_variable_a_query_uses_is_defined_and_every_defined_one_is_used(self):
        for name, board in self.boards.items():
            variables = board["templating"]["list"]
            names = [v["name"] for v in variables]
            self.assertEqual(len(set(names)), len(names), name)
            datasource = [v for v in variables if v["name"] == "datasource"]
            self.assertEqual(len(datasource), 1, name + " has no $datasource")
            self.assertEqual((datasource[0]["type"], datasource[0]["query"]), ("datasource", "prometheus"), name)
            self.assertLessEqual(REQUIRED_VARIABLES[name], set(names), name)
            defined = set()
            for variable in variables:
                if variable["type"] == "query":
                    self.assertEqual(variable.get("datasource"), DATASOURCE, "%s: $%s" % (name, variable["name"]))
                    self.assertRegex(variable_query(variable), LABEL_VALUES, "%s: $%s" % (name, variable["name"]))
                    # A chained variable may only use those defined before it.
                    undefined = referenced_variables(variable_query(variable)) - defined - {"datasource"}
                    self.assertFalse(undefined, "%s: $%s uses %s before they are defined" % (
                        name, variable["name"], sorted(undefined)))
                defined.add(variable["name"])
            used = set()
            for where, expr, _ in queries(board):
                references = referenced_variables(expr)
                undefined = references - defined - set(GLOBAL_VARIABLES)
                self.assertFalse(undefined, "%s: %s uses undefined %s in %s" % (name, where, sorted(undefined), expr))
                used |= references
            unused = set(names) - used - {"datasource"}
            self.assertFalse(unused, "%s: variables no query uses: %s" % (name, sorted(unused)))

    def test_queries_scale_with_the_scrape_interval_and_pick_the_engine(self):
        # A fixed window ([1m]) is empty at a 60 s scrape; Grafana scales
        # $__rate_interval to it. Every series names the chosen job, and on one
        # engine's boards the chosen instance, so two engines never merge.
        window = re.compile(r"\[([^\]]+)\]")
        selector = re.compile(r"\b((?:alphastream|process)_[a-zA-Z0-9_]+)(\{[^}]*\})?(?!\s*\()")
        for name, board in self.boards.items():
            for where, expr, _ in queries(board):
                for found in window.findall(expr):
                    self.assertIn(found, ("$__rate_interval", "$__range"), "%s: %s: %s" % (name, where, expr))
                if where.startswith("variable ") and "alphastream_build_info" in expr:
                    continue  # $job and $instance themselves
                for metric, labels in selector.findall(expr):
                    self.assertIn('job=~"$job"', labels, "%s: %s: %s" % (name, where, metric))
                    if name not in CLUSTER_BOARDS:
                        self.assertIn('instance=~"$instance"', labels, "%s: %s: %s" % (name, where, metric))

    def test_provisioning_points_grafana_at_prometheus_and_the_dashboards_folder(self):
        with open(os.path.join(PROVISIONING_DIR, "datasources", "alphastream.yaml")) as f:
            datasources = yaml.safe_load(f)
        self.assertEqual(datasources["apiVersion"], 1)
        [source] = datasources["datasources"]
        self.assertEqual(source["type"], "prometheus")
        self.assertRegex(source["url"], r"^https?://")
        # Provisioned into a Grafana that has a default datasource, it must not replace it.
        self.assertIs(source["isDefault"], False)
        with open(os.path.join(PROVISIONING_DIR, "dashboards", "alphastream.yaml")) as f:
            dashboards = yaml.safe_load(f)
        self.assertEqual(dashboards["apiVersion"], 1)
        [provider] = dashboards["providers"]
        self.assertEqual(provider["type"], "file")
        self.assertTrue(provider["options"]["path"])

    def test_promtool_accepts_the_shipped_config_and_rules(self):
        if not PROMTOOL:
            raise AssertionError("ALPHASTREAM_PROMTOOL is not set: run these tests through ctest")
        for args in (["check", "config", "prometheus.yml"], ["check", "rules", "alert_rules.yml"]):
            done = subprocess.run([PROMTOOL] + args, cwd=PROMETHEUS_DIR, capture_output=True, text=True,
                                  timeout=60)
            self.assertEqual(done.returncode, 0, "promtool %s:\n%s%s" % (" ".join(args), done.stdout, done.stderr))
        with open(os.path.join(PROMETHEUS_DIR, "prometheus.yml")) as f:
            config = yaml.safe_load(f)
        self.assertEqual(config["rule_files"], ["*_rules.yml"])
        [job] = config["scrape_configs"]
        self.assertEqual(job["job_name"], "alphastream")
        self.assertEqual(job["scrape_interval"], "5s")
        self.assertEqual(job["static_configs"], [{"targets": ["127.0.0.1:9464"]}])


class Prometheus:
    """A prometheus server on loopback scraping its targets (ports) every
    second, with the shipped rule files; its log in a file."""

    def __init__(self, work_dir, target_ports, tsdb=None):
        if not PROMETHEUS:
            raise AssertionError("ALPHASTREAM_PROMETHEUS is not set: run these tests through ctest")
        config_dir = os.path.join(work_dir, "prometheus")
        os.makedirs(config_dir)
        with open(os.path.join(PROMETHEUS_DIR, "prometheus.yml")) as f:
            config = yaml.safe_load(f)
        config["global"].update({"scrape_interval": "1s", "evaluation_interval": "1s"})
        [job] = config["scrape_configs"]
        job["scrape_interval"] = "1s"
        job["static_configs"] = [{"targets": ["127.0.0.1:%d" % port for port in target_ports]}]
        self.targets = len(target_ports)
        self.config_path = os.path.join(config_dir, "prometheus.yml")
        with open(self.config_path, "w") as f:
            yaml.safe_dump(config, f)
        for rules in glob.glob(os.path.join(PROMETHEUS_DIR, "*_rules.yml")):
            shutil.copy(rules, config_dir)
        self.port = ss.free_port()
        self.log_path = os.path.join(work_dir, "prometheus.log")
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [PROMETHEUS, "--config.file=" + self.config_path,
             "--storage.tsdb.path=" + (tsdb or os.path.join(work_dir, "tsdb")),
             "--web.listen-address=127.0.0.1:%d" % self.port],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def api(self, path, **params):
        """(HTTP status, decoded JSON body) of GET /api/v1/<path>; None while
        nothing answers."""
        url = "http://127.0.0.1:%d/api/v1/%s?%s" % (self.port, path, urllib.parse.urlencode(params, doseq=True))
        try:
            with urllib.request.urlopen(url, timeout=10) as reply:
                return reply.status, json.loads(reply.read().decode())
        except urllib.error.HTTPError as error:
            body = error.read().decode()
            # Until it is ready the server answers 503 in plain text.
            return error.code, json.loads(body) if body.startswith("{") else body
        except (urllib.error.URLError, ConnectionError, OSError):
            if self.process.poll() is not None:
                raise AssertionError("prometheus exited with %d:\n%s" % (self.process.returncode, self.log()))
            return None

    def scraped_up(self):
        reply = self.api("targets")
        if reply is None or reply[0] != 200:
            return False
        active = reply[1]["data"]["activeTargets"]
        return len(active) == self.targets and all(target["health"] == "up" for target in active)

    def kill(self):
        ss.terminate_process(self.process)
        self._log.close()


def finite_values(result_type, result):
    """Finite sample values of a query result."""
    if result_type == "scalar":
        return [float(result[1])] if math.isfinite(float(result[1])) else []
    values = []
    for series in result:
        samples = series.get("values") or [series["value"]]
        values += [float(v) for _, v in samples if math.isfinite(float(v))]
    return values


class BoardQueries:
    """Runs every query of boards as Grafana would against self.prometheus,
    which scrapes self.engines."""

    def check_label_values(self, expr, start, end):
        """An error message, or None when label_values(...) lists values."""
        match = LABEL_VALUES.match(expr)
        if not match:
            return "not label_values(...)"
        selector, label = match.groups()
        params = {"start": start, "end": end}
        if selector:
            params["match[]"] = selector
        reply = self.prometheus.api("label/%s/values" % label, **params)
        if reply is None or reply[0] != 200:
            return "rejected: %s" % (reply,)
        if not reply[1]["data"]:
            return "no values"
        return None

    def check_query(self, expr, instant, start, end):
        """An error message, or None when expr parses and has a finite value."""
        if instant:
            reply = self.prometheus.api("query", query=expr, time=end)
        else:
            reply = self.prometheus.api("query_range", query=expr, start=start, end=end, step="1")
        if reply is None or reply[0] != 200:
            return "rejected: %s" % (reply,)
        data = reply[1]["data"]
        if not data["result"]:
            return "empty result"
        if not finite_values(data["resultType"], data["result"]):
            return "only NaN or infinite values: %s" % json.dumps(data["result"])[:300]
        return None

    def resolve_variables(self, board, start, end):
        """([{name: value}], problem): two settings Grafana could have,
        every query variable on All (the default), then each on its first
        value; chained variables are resolved in order through their own
        queries. problem names a variable that lists nothing, else None."""
        settings = []
        for mode in ("all", "first"):
            values = {"datasource": "unused"}
            for variable in board["templating"]["list"]:
                if variable["type"] != "query":
                    continue
                selector, label = LABEL_VALUES.match(variable_query(variable)).groups()
                params = {"start": start, "end": end}
                if selector:
                    params["match[]"] = substitute(selector, dict(values, **self.globals))
                reply = self.prometheus.api("label/%s/values" % label, **params)
                if reply is None or reply[0] != 200 or not reply[1]["data"]:
                    return [], "%s: variable $%s lists no values: %s" % (board["title"], variable["name"], reply)
                found = reply[1]["data"]
                values[variable["name"]] = regex_of(found if mode == "all" else found[:1])
            settings.append(values)
        return settings, None

    def failures(self, boards, start, end):
        """[failure message] of every query that shows nothing yet."""
        out = []
        for name, board in boards.items():
            settings, problem = self.resolve_variables(board, start, end)
            if problem:
                out.append(problem)
            for values in settings:
                for where, expr, instant in queries(board):
                    query = substitute(expr, dict(values, **self.globals))
                    if where.startswith("variable "):
                        problem = self.check_label_values(query, start, end)
                    else:
                        problem = self.check_query(query, instant, start, end)
                    if problem:
                        out.append("%s: %s: %s\n    %s" % (board["title"], where, problem, query))
        return out

    def check_boards(self, names):
        boards = {name: board for name, board in load_dashboards().items() if name in names}
        self.assertEqual(sorted(boards), sorted(names))
        ss.wait_until(self.prometheus.scraped_up, 30, lambda: "prometheus to scrape the engines:\n%s\n%s" % (
            self.prometheus.log(), "\n".join(engine.log() for engine in self.engines)), interval_s=0.5)
        start = time.time()
        deadline = time.monotonic() + DATA_TIMEOUT_S
        while True:
            end = time.time()
            run_s = max(1, int(end - start))
            self.globals = dict(GLOBAL_VARIABLES, __range="%ds" % run_s, __range_s=str(run_s),
                                __range_ms=str(1000 * run_s))
            problems = self.failures(boards, start, end)
            if not problems or time.monotonic() > deadline:
                break
            time.sleep(2)
        if problems:
            self.fail("after %d s of scraping, these show nothing:\n%s" % (run_s, "\n".join(problems)))
        # The check itself can fail: a series nobody exports shows nothing.
        self.assertEqual(self.check_query("alphastream_no_such_series", False, start, end), "empty result")
        self.assertEqual(self.check_query("alphastream_pair_beta{", True, start, end)[:9], "rejected:")
        for engine in self.engines:
            engine.check_no_sanitizer_report()


def start_engine(work_dir, port):
    """`alphastream run` on the simulator with the boards' pairs and symbol
    models, recording, its metrics on port."""
    config = ss.write_file(os.path.join(work_dir, "service.yaml"), ss.service_config(
        port, feed=FEED, pairs=PAIRS, symbols=SYMBOLS, sampling=SAMPLING,
        storage_path=os.path.join(work_dir, "journal")))
    return ss.Service(config, work_dir, port)


class DashboardQueriesOnPrometheus(BoardQueries, unittest.TestCase):
    """Every query of the engine's boards against Prometheus scraping
    `alphastream run` on its simulator feed."""

    def setUp(self):
        self.dir = ss.fresh_dir("DashboardQueriesOnPrometheus")
        self.engines = []
        self.prometheus = None
        port = ss.free_port()
        self.engines.append(start_engine(self.dir, port))
        self.prometheus = Prometheus(self.dir, [port])

    def tearDown(self):
        if self.prometheus:
            self.prometheus.kill()
        for engine in self.engines:
            engine.kill()

    def test_every_panel_annotation_and_variable_query_shows_data_from_a_running_engine(self):
        self.check_boards(ENGINE_BOARDS)


class ClusterDashboardOnPrometheus(BoardQueries, unittest.TestCase):
    """The cluster board against Prometheus scraping an ingest publishing
    the simulator's feed to a real nats-server and two workers sharing the
    pairs through leases."""

    def setUp(self):
        self.dir = ss.fresh_dir("ClusterDashboardOnPrometheus")
        self.engines = []
        self.prometheus = None
        self.nats = ss.NatsServer(self.dir)
        bus = "bus: {servers: [%s], stream: TRADES_BOARD%s}\n"
        ports = []
        roles = [("ingest", FEED, ", publish: true"),
                 ("w-a", "{source: nats}", ", share_pairs: true, lease_ttl_s: 3, worker_id: w-a"),
                 ("w-b", "{source: nats}", ", share_pairs: true, lease_ttl_s: 3, worker_id: w-b")]
        for name, feed, extra in roles:
            port = ss.free_port()
            text = ss.service_config(port, feed=feed, pairs=PAIRS, symbols=[], sampling=SAMPLING,
                                     storage_path=os.path.join(self.dir, "journal-" + name))
            config = ss.write_file(os.path.join(self.dir, name + ".yaml"), text + bus % (self.nats.url(), extra))
            self.engines.append(ss.Service(config, self.dir, port))
            ports.append(port)
        self.prometheus = Prometheus(self.dir, ports)

    def tearDown(self):
        if self.prometheus:
            self.prometheus.kill()
        for engine in self.engines:
            engine.kill()
        self.nats.stop()

    def test_every_panel_and_variable_query_shows_data_from_an_ingest_and_two_workers(self):
        self.check_boards(CLUSTER_BOARDS)


class DashboardQueriesAtAMinuteScrape(BoardQueries, unittest.TestCase):
    """Every query of the engine's boards on data scraped every 60 s,
    Prometheus' default: the engine's real /metrics, taken a second apart,
    stamped a minute apart and loaded with `promtool tsdb
    create-blocks-from openmetrics` (a minute's scrape, live, would make this
    test 15 minutes long), then queried as Grafana would at that interval
    ($__rate_interval 4m, $__interval 60s)."""

    SCRAPES = 12

    def setUp(self):
        self.dir = ss.fresh_dir("DashboardQueriesAtAMinuteScrape")
        self.engines = []
        self.prometheus = None
        port = ss.free_port()
        engine = start_engine(self.dir, port)
        self.engines.append(engine)
        # Until every z-score, p-value and signal counter has a value.
        engine.wait_for_metrics(lambda m: m.total("alphastream_signals_total") > 0 and
                                m.get("alphastream_tick_to_signal_seconds_count", shard="0"), 60, "signals")
        texts = []
        for _ in range(self.SCRAPES):
            texts.append(engine.scrape().text)
            time.sleep(1)
        self.end = int(time.time()) - 60
        self.start = self.end - 60 * (self.SCRAPES - 1)
        lines = []
        sample = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)$")
        instance = 'job="alphastream",instance="127.0.0.1:%d"' % port
        for k, text in enumerate(texts):
            stamp = self.start + 60 * k
            for line in text.splitlines():
                match = sample.match(line)
                if not match:
                    continue
                name, labels, value = match.groups()
                labels = "{%s%s}" % (instance, "," + labels[1:-1] if labels and labels != "{}" else "")
                lines.append("%s%s %s %d" % (name, labels, value, stamp))
            lines.append('up{%s} 1 %d' % (instance, stamp))
        # OpenMetrics wants each series' samples together, in time order.
        series = {}
        for line in lines:
            key = line.rsplit(" ", 2)[0]
            series.setdefault(key, []).append(line)
        openmetrics = os.path.join(self.dir, "scrapes.om")
        with open(openmetrics, "w") as f:
            for key in series:
                f.write("\n".join(series[key]) + "\n")
            f.write("# EOF\n")
        tsdb = os.path.join(self.dir, "tsdb")
        done = subprocess.run([PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", openmetrics, tsdb],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        engine.kill()
        self.prometheus = Prometheus(self.dir, [], tsdb=tsdb)

    def tearDown(self):
        if self.prometheus:
            self.prometheus.kill()
        for engine in self.engines:
            engine.kill()

    def test_every_panel_shows_data_at_a_minute_scrape(self):
        boards = {name: board for name, board in load_dashboards().items() if name in ENGINE_BOARDS}
        ss.wait_until(lambda: self.prometheus.api("query", query="up") is not None and
                      self.prometheus.api("query", query="up")[0] == 200, 30, "prometheus to start")
        run_s = self.end - self.start
        self.globals = dict(GLOBAL_VARIABLES, __rate_interval="4m", __interval="60s", __interval_ms="60000",
                            __range="%ds" % run_s, __range_s=str(run_s), __range_ms=str(1000 * run_s))
        problems = self.failures(boards, self.start, self.end)
        self.assertFalse(problems, "at a 60 s scrape these show nothing:\n" + "\n".join(problems))


if __name__ == "__main__":
    unittest.main()
