"""What `cmake --install` and `cpack -G DEB` ship, used the way a user would:
the installed binary and its plugins, the systemd unit, and the plugin SDK
building examples/plugin_ewma_beta out of tree.

Set by tests/packaging/CMakeLists.txt:
  ALPHASTREAM_SOURCE_DIR     the source tree (for examples/ only)
  ALPHASTREAM_BUILD_DIR      the build tree under test, installed from
  ALPHASTREAM_BUILD_BIN      its alphastream binary (for ldd)
  ALPHASTREAM_TEST_WORK_DIR  scratch space; each class gets a fresh sub-folder
  ALPHASTREAM_VERSION        the project version
  ALPHASTREAM_CMAKE, ALPHASTREAM_CPACK, ALPHASTREAM_GENERATOR,
  ALPHASTREAM_MAKE_PROGRAM, ALPHASTREAM_CXX   the tools of the build under test
"""

import math
import os
import re
import shutil
import subprocess
import sys
import tarfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
import cli_support as cs  # noqa: E402

ENV = os.environ
SOURCE_DIR = ENV.get("ALPHASTREAM_SOURCE_DIR", "")
BUILD_DIR = ENV.get("ALPHASTREAM_BUILD_DIR", "")
VERSION = ENV.get("ALPHASTREAM_VERSION", "")
SHIPPED_PLUGINS = ["huber", "kalman", "microstructure", "ols"]
CONFIG = "/etc/alphastream/alphastream.yaml"


def call(args, cwd=None, timeout=120):
    """Runs a tool; returns the CompletedProcess with text output."""
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def check_call(args, cwd=None):
    done = call(args, cwd=cwd)
    if done.returncode != 0:
        raise AssertionError("%s failed with %d:\n--- stdout\n%s--- stderr\n%s" %
                             (" ".join(map(str, args)), done.returncode, done.stdout, done.stderr))
    return done


def install(prefix):
    """`cmake --install` of the build under test into prefix; returns prefix,
    resolved as /proc/self/exe will see it."""
    if not BUILD_DIR:
        raise AssertionError("ALPHASTREAM_BUILD_DIR is not set: run these tests through ctest")
    check_call([ENV["ALPHASTREAM_CMAKE"], "--install", BUILD_DIR, "--prefix", prefix])
    cs.BIN = os.path.join(prefix, "bin", "alphastream")
    return os.path.realpath(prefix)


def unit_settings(text):
    """The [Service] key=value lines of a unit, as {key: [values in order]}."""
    settings, section = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise AssertionError("not key=value: %r" % line)
        if section == "[Service]":
            settings.setdefault(key, []).append(value)
    return settings


class InstalledTree(unittest.TestCase):
    """`cmake --install --prefix P`: the layout, and the installed binary
    finding what was installed beside it."""

    @classmethod
    def setUpClass(cls):
        cls.prefix = install(os.path.join(cs.fresh_dir("installed_tree"), "prefix"))

    def path(self, *parts):
        return os.path.join(self.prefix, *parts)

    def test_layout_has_the_binary_plugins_sdk_package_configs_and_unit(self):
        expected = ["bin/alphastream",
                    "include/alphastream/plugin.h",
                    "include/alphastream/plugin.hpp",
                    "lib/cmake/AlphaStream/AlphaStreamConfig.cmake",
                    "lib/cmake/AlphaStream/AlphaStreamConfigVersion.cmake",
                    "lib/cmake/AlphaStream/AlphaStreamTargets.cmake",
                    "lib/cmake/AlphaStream/AlphaStreamPlugin.cmake",
                    "lib/cmake/AlphaStream/plugin_exports.map",
                    "lib/systemd/system/alphastream.service",
                    "lib/systemd/system/alphastream@.service",
                    "share/alphastream/config/alphastream.yaml",
                    "share/alphastream/config/cluster/ingest.yaml",
                    "share/alphastream/config/cluster/worker.yaml",
                    "share/alphastream/config/demo.yaml",
                    "share/alphastream/config/prometheus/prometheus.yml",
                    "share/alphastream/config/alertmanager/alertmanager.yml",
                    "share/alphastream/grafana/dashboards/alphastream-pairs.json",
                    "share/alphastream/examples/plugin_ewma_beta/CMakeLists.txt"]
        expected += ["lib/alphastream/plugins/libalphastream_%s.so" % p for p in SHIPPED_PLUGINS]
        missing = [p for p in expected if not os.path.isfile(self.path(p))]
        self.assertEqual(missing, [])
        self.assertTrue(os.access(self.path("bin/alphastream"), os.X_OK))

    def test_version_flag_prints_the_project_version(self):
        done = cs.run(["--version"])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        self.assertEqual(done.stdout, "alphastream %s\n" % VERSION)

    def test_installed_binary_lists_the_installed_plugins_without_dir(self):
        done = cs.run(["plugins"])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        lines = done.stdout.splitlines()
        self.assertEqual(lines[0], "plugins in %s" % self.path("lib", "alphastream", "plugins"))
        listed = sorted(re.findall(r"^(\w+) \d+\.\d+\.\d+ - ", done.stdout, flags=re.MULTILINE))
        self.assertEqual(listed, SHIPPED_PLUGINS)

    def test_shipped_service_config_checks_against_the_installed_plugins(self):
        config = self.path("share", "alphastream", "config", "alphastream.yaml")
        # --skip-bind: port 9464 may be held by a test running beside this one.
        done = cs.run(["check-config", "--skip-bind", config])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        self.assertTrue(done.stdout.startswith(config + ": ok: "), done.stdout)
        self.assertTrue(done.stdout.endswith("feed binance, plugins from %s\n" %
                                             self.path("lib", "alphastream", "plugins")), done.stdout)

    def test_package_files_name_nothing_in_the_source_or_build_tree(self):
        cmake_dir = self.path("lib", "cmake", "AlphaStream")
        for name in os.listdir(cmake_dir):
            with open(os.path.join(cmake_dir, name)) as f:
                text = f.read()
            for tree in (os.path.realpath(SOURCE_DIR), os.path.realpath(BUILD_DIR)):
                self.assertNotIn(tree, text, "%s names %s" % (name, tree))

    # (unit file, the config it reads, its state directory, an instance to verify)
    UNITS = [("alphastream.service", CONFIG, "alphastream", "alphastream.service"),
             ("alphastream@.service", "/etc/alphastream/%i.yaml", "alphastream/%i", "alphastream@worker-1.service")]

    def test_units_run_the_installed_binary_as_their_own_sandboxed_user(self):
        binary = self.path("bin", "alphastream")
        for unit, config, state, _ in self.UNITS:
            with open(self.path("lib", "systemd", "system", unit)) as f:
                settings = unit_settings(f.read())
            self.assertEqual(settings["ExecStartPre"], ["%s check-config %s" % (binary, config)], unit)
            self.assertEqual(settings["ExecStart"], ["%s --log-format json run --config %s" % (binary, config)], unit)
            self.assertEqual(settings["ExecReload"],
                             ["%s check-config --skip-bind %s" % (binary, config), "/bin/kill -HUP $MAINPID"], unit)
            expected = {"Type": "notify", "NotifyAccess": "main", "WatchdogSec": "30s",
                        "User": "alphastream", "DynamicUser": "yes", "StateDirectory": state,
                        "Restart": "on-failure", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
                        "NoNewPrivileges": "yes", "CapabilityBoundingSet": "",
                        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX", "SystemCallFilter": "@system-service",
                        "MemoryDenyWriteExecute": "yes"}
            self.assertEqual({key: settings.get(key, [None])[-1] for key in expected}, expected, unit)
            for key in ("RestartSec", "TimeoutStopSec", "LimitNOFILE"):
                self.assertIn(key, settings, unit)

    def instance(self, unit, name):
        """A unit file as systemd would load it for instance `name` (a link
        named for the instance: how a template is verified)."""
        path = self.path("lib", "systemd", "system", unit)
        if name == unit:
            return path
        link = os.path.join(self.prefix, "verify", name)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if not os.path.lexists(link):
            os.symlink(path, link)
        return link

    def test_units_pass_systemd_analyze_verify_without_a_warning(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("systemd-analyze is not installed; the units were only parsed")
        for unit, _, _, name in self.UNITS:
            path = self.instance(unit, name)
            done = call([analyze, "verify", path])
            # verify exits 0 on settings it ignores; each one is a line naming the file.
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertNotIn(path, done.stdout + done.stderr)
            self.assertNotIn(unit, done.stdout + done.stderr)

    def test_unit_exposure_is_rated_ok_by_systemd_analyze_security(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("systemd-analyze is not installed")
        for unit, _, _, name in self.UNITS:
            done = call([analyze, "security", "--offline=true", self.instance(unit, name)])
            match = re.search(r"Overall exposure level for %s: (\d+\.\d+) (\w+)" % re.escape(name), done.stdout)
            self.assertIsNotNone(match, done.stdout + done.stderr)
            # systemd rates 0-2 "OK", up to 5 "MEDIUM", 10 "UNSAFE".
            self.assertLessEqual(float(match.group(1)), 2.0, done.stdout)

    def test_shipped_cluster_configs_check_against_the_installed_plugins(self):
        for role, feed in (("ingest", "binance"), ("worker", "nats")):
            config = self.path("share", "alphastream", "config", "cluster", role + ".yaml")
            done = cs.run(["check-config", "--skip-bind", config])
            self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
            self.assertIn("feed %s, plugins from %s" % (feed, self.path("lib", "alphastream", "plugins")), done.stdout)


class OutOfTreePlugin(unittest.TestCase):
    """examples/plugin_ewma_beta copied out of the tree and built against the
    installed package alone, then loaded and backtested by the installed
    binary."""

    HALF_LIFE = 120.0
    MIN_OBS = 50

    @classmethod
    def setUpClass(cls):
        cls.work = cs.fresh_dir("out_of_tree_plugin")
        cls.prefix = install(os.path.join(cls.work, "prefix"))
        cls.source = os.path.join(cls.work, "plugin_ewma_beta")
        shutil.copytree(os.path.join(SOURCE_DIR, "examples", "plugin_ewma_beta"), cls.source)
        cls.build = os.path.join(cls.work, "build")
        check_call(cls.configure_args(cls.source, cls.build))
        check_call([ENV["ALPHASTREAM_CMAKE"], "--build", cls.build])
        cls.plugin_dir = os.path.join(cls.build, "plugins")
        cls.plugin = os.path.join(cls.plugin_dir, "libalphastream_ewma_beta.so")

    @classmethod
    def configure_args(cls, source, build):
        return [ENV["ALPHASTREAM_CMAKE"], "-S", source, "-B", build, "-G", ENV["ALPHASTREAM_GENERATOR"],
                "-DCMAKE_MAKE_PROGRAM=" + ENV["ALPHASTREAM_MAKE_PROGRAM"],
                "-DCMAKE_CXX_COMPILER=" + ENV["ALPHASTREAM_CXX"], "-DCMAKE_BUILD_TYPE=Release",
                "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror", "-DCMAKE_PREFIX_PATH=" + cls.prefix]

    def test_package_was_found_in_the_install_prefix(self):
        with open(os.path.join(self.build, "CMakeCache.txt")) as f:
            cache = f.read()
        self.assertIn("AlphaStream_DIR:PATH=%s\n" % os.path.join(self.prefix, "lib", "cmake", "AlphaStream"), cache)

    def configure_project(self, name, body):
        """Configures a project of no language whose CMakeLists.txt ends with body."""
        source = cs.fresh_dir(name)
        with open(os.path.join(source, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.17)\nproject(%s LANGUAGES NONE)\n%s" % (name, body))
        return call([ENV["ALPHASTREAM_CMAKE"], "-S", source, "-B", os.path.join(source, "build"),
                     "-DCMAKE_PREFIX_PATH=" + self.prefix])

    def test_a_request_for_the_next_major_version_is_refused(self):
        done = self.configure_project("wants_v1", "find_package(AlphaStream 1.0 REQUIRED)\n")
        self.assertNotEqual(done.returncode, 0, done.stdout)
        self.assertIn("version: %s" % VERSION, done.stderr)

    def test_package_reports_the_abi_of_its_headers(self):
        done = self.configure_project("abi", "find_package(AlphaStream %s REQUIRED)\n"
                                             "message(STATUS \"abi ${ALPHASTREAM_ABI_MAJOR}.${ALPHASTREAM_ABI_MINOR}\")\n"
                                             % VERSION)
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(os.path.join(self.prefix, "include", "alphastream", "plugin.h")) as f:
            header = f.read()
        major = re.search(r"^#define AS_ABI_MAJOR (\d+)$", header, flags=re.MULTILINE).group(1)
        minor = re.search(r"^#define AS_ABI_MINOR (\d+)$", header, flags=re.MULTILINE).group(1)
        self.assertIn("-- abi %s.%s\n" % (major, minor), done.stdout)

    def test_plugin_exports_only_its_entry_and_loads_under_memory_deny_write_execute(self):
        symbols = call(["readelf", "--dyn-syms", "-W", self.plugin]).stdout
        defined = [row.split()[7] for row in symbols.splitlines()
                   if len(row.split()) >= 8 and row.split()[4] in ("GLOBAL", "WEAK") and row.split()[6] != "UND"]
        self.assertEqual(defined, ["alphastream_plugin_entry"])
        # MemoryDenyWriteExecute= refuses a library that needs an executable
        # stack or text relocations.
        headers = call(["readelf", "-lW", self.plugin]).stdout
        stack = [row.split() for row in headers.splitlines() if row.split()[:1] == ["GNU_STACK"]]
        self.assertEqual(len(stack), 1, headers)
        self.assertEqual(stack[0][-2], "RW", headers)
        self.assertNotIn("TEXTREL", call(["readelf", "-dW", self.plugin]).stdout)

    def test_installed_binary_lists_the_plugin(self):
        done = cs.run(["plugins", "--dir", self.plugin_dir])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        lines = done.stdout.splitlines()
        self.assertEqual(lines[:5], ["plugins in %s" % self.plugin_dir, "", self.plugin,
                                     "  in a config:   plugin: ewma_beta",
                                     "ewma_beta 1.0.0 - Exponentially weighted regression (pair model)"])
        outputs = lines[lines.index("  outputs:") + 1:]
        self.assertEqual([line.split(":")[0].strip() for line in outputs],
                         ["beta", "alpha", "correlation", "effective_n"])

    def test_backtest_naming_the_plugin_by_path_matches_pandas_ewm(self):
        work = cs.fresh_dir("out_of_tree_plugin_backtest")
        x_csv, y_csv = cs.simulate(os.path.join(work, "data"))
        config = cs.write_file(os.path.join(work, "ewma.yaml"), cs.config_text(
            plugin=self.plugin, params={"half_life": self.HALF_LIFE, "min_obs": self.MIN_OBS}))
        out = os.path.join(work, "out")
        done = cs.backtest(config, x_csv, y_csv, out)
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        series = cs.read_series(os.path.join(out, cs.PAIR, "series.csv"))
        self.assertEqual(list(series.columns), cs.SERIES_HEADER.split(",") + ["correlation", "effective_n"])
        n = len(series)
        self.assertGreater(n, 7000)  # two hours at one observation per second

        # The same regression from series.csv's x and y by pandas, weights
        # 2^(-age / half_life) (ewm's adjust=True), first MIN_OBS - 1 NaN.
        x, y = series["x"], series["y"]
        ewm = dict(halflife=self.HALF_LIFE, min_periods=self.MIN_OBS)
        beta = x.ewm(**ewm).cov(y, bias=True) / x.ewm(**ewm).var(bias=True)
        alpha = y.ewm(**ewm).mean() - beta * x.ewm(**ewm).mean()
        correlation = x.ewm(**ewm).corr(y)
        for column, reference in (("beta", beta), ("alpha", alpha), ("correlation", correlation)):
            got = series[column].to_numpy()
            self.assertTrue(np.isnan(got[:self.MIN_OBS - 1]).all(), column)
            np.testing.assert_allclose(got[self.MIN_OBS - 1:], reference.to_numpy()[self.MIN_OBS - 1:],
                                       rtol=1e-8, err_msg=column)
        # Kish's effective n after n observations: (sum w)^2 / sum w^2 with
        # w = lam^k, k < n; (1 + lam) / (1 - lam) = 346.25 after 7000.
        lam = 2 ** (-1 / self.HALF_LIFE)
        expected_n = ((1 - lam ** n) / (1 - lam)) ** 2 / ((1 - lam ** (2 * n)) / (1 - lam ** 2))
        self.assertAlmostEqual(series["effective_n"].iloc[-1], expected_n, places=6)
        self.assertTrue(math.isclose(expected_n, (1 + lam) / (1 - lam), rel_tol=1e-9))
        # The simulated hedge ratio is 1.5; a two-minute half-life tracks it.
        self.assertAlmostEqual(float(np.nanmedian(series["beta"])), cs.SIM_BETA, delta=0.1)


# Lintian tags a cpack-built package gets that are explained in
# packaging/README.md rather than fixed.
LINTIAN_EXPLAINED = {
    # prerm stops every instance of the template unit (alphastream@*.service);
    # deb-systemd-invoke takes no glob.
    "maintainer-script-calls-systemctl",
}


class DebPackage(unittest.TestCase):
    """`cpack -G DEB` of the build under test, inspected with dpkg-deb."""

    @classmethod
    def setUpClass(cls):
        cls.work = cs.fresh_dir("deb_package")
        check_call([ENV["ALPHASTREAM_CPACK"], "-G", "DEB", "--config",
                         os.path.join(BUILD_DIR, "CPackConfig.cmake"), "-B", cls.work])
        debs = sorted(name for name in os.listdir(cls.work) if name.endswith(".deb"))
        if len(debs) != 2:
            raise AssertionError("expected alphastream and alphastream-dev in %s, found %s" % (cls.work, debs))
        cls.deb = os.path.join(cls.work, next(d for d in debs if d.startswith("alphastream_")))
        cls.dev = os.path.join(cls.work, next(d for d in debs if d.startswith("alphastream-dev_")))

    def field(self, name):
        return check_call(["dpkg-deb", "--field", self.deb, name]).stdout.strip()

    def test_control_names_the_package_and_its_version(self):
        self.assertEqual(self.field("Package"), "alphastream")
        self.assertEqual(self.field("Version"), VERSION)
        arch = check_call(["dpkg", "--print-architecture"]).stdout.strip()
        self.assertEqual(self.field("Architecture"), arch)
        self.assertEqual(os.path.basename(self.deb), "alphastream_%s_%s.deb" % (VERSION, arch))
        self.assertIn("Package: alphastream", check_call(["dpkg-deb", "-I", self.deb]).stdout)

    def test_depends_names_the_debian_package_of_every_linked_library(self):
        # Found independently of dpkg-shlibdeps: the libraries the built
        # binary names (DT_NEEDED), located by ldd, then the package owning
        # each file. On Debian 12 /lib is /usr/lib, but dpkg knows one spelling.
        binary = ENV["ALPHASTREAM_BUILD_BIN"]
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", check_call(["readelf", "-dW", binary]).stdout)
        located = dict(re.findall(r"^\s*(\S+) => (/\S+) \(", check_call(["ldd", binary]).stdout, flags=re.MULTILINE))
        owners = {}
        for soname in needed:
            if soname not in located:  # the dynamic loader itself
                continue
            path = located[soname]
            spellings = [path, path[4:] if path.startswith("/usr/") else "/usr" + path]
            found = [call(["dpkg", "-S", p]) for p in spellings]
            owner = [done.stdout.split(":")[0] for done in found if done.returncode == 0]
            self.assertTrue(owner, "no package owns %s" % path)
            owners[soname] = owner[0]
        self.assertEqual(owners.get("libsimdjson.so.14"), "libsimdjson14")
        self.assertEqual(owners.get("libyaml-cpp.so.0.7"), "libyaml-cpp0.7")
        self.assertEqual(owners.get("liblmdb.so.0"), "liblmdb0")
        # A Depends entry may be a virtual package the owner provides, e.g.
        # libspdlog1.10 provides libspdlog1.10-fmt9 (the fmt ABI it needs).
        depends = {part.strip().split()[0] for part in self.field("Depends").split(",")}
        unmet = []
        for owner in sorted(set(owners.values())):
            provides = check_call(["dpkg-query", "-W", "-f=${Provides}", owner]).stdout
            names = {owner} | {p.strip().split()[0] for p in provides.split(",") if p.strip()}
            if not names & depends:
                unmet.append(owner)
        self.assertEqual(unmet, [], "Depends: " + self.field("Depends"))

    def test_the_copyright_file_names_the_licence(self):
        tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", self.deb], capture_output=True, check=True).stdout
        copyright_text = subprocess.run(["tar", "-xO", "./usr/share/doc/alphastream/copyright"], input=tar,
                                        capture_output=True, check=True).stdout.decode()
        self.assertTrue(copyright_text.startswith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"))
        self.assertIn("License: Apache-2.0", copyright_text)

    def listing(self, deb):
        return {line.split()[-1] for line in check_call(["dpkg-deb", "-c", deb]).stdout.splitlines()}

    def test_runtime_holds_the_service_and_dev_the_sdk(self):
        paths = self.listing(self.deb)
        expected = {"./usr/bin/alphastream",
                    "./usr/lib/systemd/system/alphastream.service",
                    "./usr/lib/systemd/system/alphastream@.service",
                    "./usr/lib/sysusers.d/alphastream.conf",
                    "./etc/alphastream/alphastream.yaml",
                    "./usr/share/alphastream/config/alphastream.yaml",
                    "./usr/share/doc/alphastream/copyright",
                    "./usr/share/doc/alphastream/LICENSE"}
        expected |= {"./usr/lib/alphastream/plugins/libalphastream_%s.so" % p for p in SHIPPED_PLUGINS}
        self.assertEqual(sorted(expected - paths), [])
        self.assertEqual([p for p in paths if not (p.startswith(("./usr/", "./etc/alphastream")) or
                                                   p in ("./", "./usr", "./etc/"))], [])
        self.assertEqual([p for p in paths if "/include/" in p or "/cmake/" in p], [], "the SDK is alphastream-dev's")
        dev = self.listing(self.dev)
        self.assertEqual(sorted({"./usr/include/alphastream/plugin.h", "./usr/include/alphastream/plugin.hpp",
                                 "./usr/lib/cmake/AlphaStream/AlphaStreamConfig.cmake",
                                 "./usr/lib/cmake/AlphaStream/AlphaStreamConfigVersion.cmake",
                                 "./usr/lib/cmake/AlphaStream/AlphaStreamPlugin.cmake",
                                 "./usr/share/alphastream/examples/plugin_ewma_beta/CMakeLists.txt",
                                 "./usr/share/doc/alphastream-dev/copyright"} - dev), [])
        self.assertEqual([p for p in dev if "/bin/" in p or p.endswith(".so")], [])
        fields = check_call(["dpkg-deb", "--field", self.dev, "Architecture", "Depends"]).stdout
        self.assertIn("Architecture: all", fields)
        self.assertIn("Depends: alphastream (= %s)" % VERSION, fields)

    def test_the_config_is_a_conffile_and_the_scripts_leave_the_journals(self):
        control = os.path.join(self.work, "control")
        shutil.rmtree(control, ignore_errors=True)
        check_call(["dpkg-deb", "-e", self.deb, control])
        with open(os.path.join(control, "conffiles")) as f:
            self.assertEqual(f.read().split(), ["/etc/alphastream/alphastream.yaml"])
        for script in ("postinst", "prerm", "postrm"):
            path = os.path.join(control, script)
            self.assertTrue(os.access(path, os.X_OK), script)
            check_call(["sh", "-n", path])
        with open(os.path.join(control, "postinst")) as f:
            postinst = f.read()
        self.assertIn("systemd-sysusers alphastream.conf", postinst)
        self.assertIn("systemctl daemon-reload", postinst)
        with open(os.path.join(control, "postrm")) as f:
            self.assertNotIn("rm ", f.read(), "the journals stay")
        # The packaged /etc config is the shipped one, and checks against the packaged plugins.
        root = os.path.join(self.work, "root-etc")
        shutil.rmtree(root, ignore_errors=True)
        check_call(["dpkg-deb", "-x", self.deb, root])
        with open(os.path.join(root, "etc", "alphastream", "alphastream.yaml")) as a, \
                open(os.path.join(SOURCE_DIR, "config", "alphastream.yaml")) as b:
            self.assertEqual(a.read(), b.read())

    def test_lintian_finds_nothing_but_the_tags_explained(self):
        lintian = shutil.which("lintian")
        if lintian is None:
            self.skipTest("lintian is not installed (scripts/install_deps.sh installs it)")
        for deb in (self.deb, self.dev):
            done = call([lintian, "--no-tag-display-limit", deb])
            tags = sorted({line.split()[2] for line in done.stdout.splitlines() if line[:2] in ("E:", "W:")})
            self.assertEqual([t for t in tags if t not in LINTIAN_EXPLAINED], [], done.stdout)

    def test_extracted_package_runs_and_finds_its_stripped_plugins(self):
        root = os.path.join(self.work, "root")
        shutil.rmtree(root, ignore_errors=True)
        check_call(["dpkg-deb", "-x", self.deb, root])
        binary = os.path.join(root, "usr", "bin", "alphastream")
        self.assertEqual(check_call([binary, "--version"]).stdout, "alphastream %s\n" % VERSION)
        done = check_call([binary, "plugins"])
        plugins_dir = os.path.join(os.path.realpath(root), "usr", "lib", "alphastream", "plugins")
        self.assertEqual(done.stdout.splitlines()[0], "plugins in %s" % plugins_dir)
        listed = sorted(re.findall(r"^(\w+) \d+\.\d+\.\d+ - ", done.stdout, flags=re.MULTILINE))
        self.assertEqual(listed, SHIPPED_PLUGINS)

    def test_packaged_unit_runs_usr_bin_alphastream(self):
        tar_path = os.path.join(self.work, "data.tar")
        with open(tar_path, "wb") as out:
            subprocess.run(["dpkg-deb", "--fsys-tarfile", self.deb], stdout=out, check=True, timeout=60)
        with tarfile.open(tar_path) as tar:
            unit = tar.extractfile("./usr/lib/systemd/system/alphastream.service").read().decode()
        settings = unit_settings(unit)
        self.assertEqual(settings["ExecStart"], ["/usr/bin/alphastream --log-format json run --config %s" % CONFIG])


if __name__ == "__main__":
    unittest.main()
