"""`alphastream plugins` and `alphastream --version`."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_support as cs  # noqa: E402


class PluginsCommand(unittest.TestCase):

    def test_lists_ols_with_its_window_parameter_and_outputs(self):
        done = cs.run(["plugins", "--dir", cs.PLUGIN_DIR])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        lines = done.stdout.splitlines()
        self.assertEqual(lines[0], "plugins in %s" % cs.PLUGIN_DIR)
        # Other plugins may be listed too; ols's block starts at its file.
        ols = lines[lines.index(os.path.join(cs.PLUGIN_DIR, "libalphastream_ols.so")) + 1:]
        ols = ols[:ols.index("") if "" in ols else len(ols)]
        # What a config writes: the id, since the file is libalphastream_<id>.so.
        self.assertEqual(ols[0], "  in a config:   plugin: ols")
        self.assertEqual(ols[1], "ols 1.0.0 - Rolling OLS (pair model)")
        parameters, outputs = ols.index("  parameters:"), ols.index("  outputs:")
        self.assertEqual(outputs - parameters, 2, "one parameter")
        self.assertTrue(ols[parameters + 1].startswith("    window (int, default 100, min 3, max 1000000): "),
                        done.stdout)
        self.assertEqual([line.split(":")[0].strip() for line in ols[outputs + 1:]],
                         ["beta", "alpha", "r_squared", "residual_std"])

    def test_default_directory_is_the_one_beside_the_binary(self):
        done = cs.run(["plugins"])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        beside = os.path.join(os.path.dirname(os.path.realpath(cs.BIN)), "plugins")
        self.assertEqual(done.stdout.splitlines()[0], "plugins in %s" % beside)
        self.assertIn("ols 1.0.0 - Rolling OLS (pair model)", done.stdout)

    def test_an_empty_directory_lists_none(self):
        empty = cs.fresh_dir("plugins_empty")
        done = cs.run(["plugins", "--dir", empty])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        self.assertEqual(done.stdout, "plugins in %s\n(none)\n" % empty)

    def test_a_missing_directory_is_an_error_naming_it(self):
        missing = os.path.join(cs.fresh_dir("plugins_missing"), "nowhere")
        done = cs.run(["plugins", "--dir", missing])
        self.assertEqual(done.returncode, cs.EXIT_BAD_INPUT, cs.describe(done))
        self.assertIn("%s: cannot read the plugins directory" % missing, done.stderr)


class VersionFlag(unittest.TestCase):

    def test_version_prints_the_project_version(self):
        done = cs.run(["--version"])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        self.assertEqual(done.stdout, "alphastream %s\n" % os.environ["ALPHASTREAM_VERSION"])


if __name__ == "__main__":
    unittest.main()
