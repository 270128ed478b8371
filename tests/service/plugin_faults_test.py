"""A plugin that lets C++ exceptions escape (tests/plugin_host/fixtures/
escaping_model.cpp) is contained by the host (issue 13, finding 2): its
model is paused and exported as faulted while the other pairs trade on; a
reload whose new model throws from create is rejected and the running config
stays."""

import os
import signal
import unittest

import service_support as ss

ESCAPING = os.environ.get("ALPHASTREAM_ESCAPING_PLUGIN", "")


class PluginExceptionsAreContained(unittest.TestCase):
    def setUp(self):
        self.dir = ss.fresh_dir("PluginExceptionsAreContained")
        self.port = ss.free_port()
        self.path = os.path.join(self.dir, "service.yaml")
        self.good = "{name: good, y: %s, x: %s, model: {plugin: ols, params: {window: 30}}}" % (
            ss.Y_SYMBOL, ss.X_SYMBOL)
        self.bad = "{name: bad, y: %s, x: %s, model: {plugin: %s, params: {throw_after: 5}}}" % (
            ss.X_SYMBOL, ss.Y_SYMBOL, ESCAPING)
        self.write([self.good, self.bad])
        self.service = ss.Service(self.path, self.dir, self.port)

    def tearDown(self):
        self.service.kill()

    def write(self, pairs):
        ss.write_file(self.path, ss.service_config(self.port, pairs=pairs, symbols=[], sampling="{mode: tick}"))

    def test_a_throwing_update_pauses_its_model_and_a_throwing_create_rejects_the_reload(self):
        m = self.service.wait_for_metrics(
            lambda m: m.get("alphastream_model_faulted", plugin="escaping", pair="bad", model="fixture_escaping") == 1, 60,
            "the escaping model paused")
        self.service.wait_for_log("threw from update: escaped from update; the model is paused", 10)
        before = m.get("alphastream_pair_observations_total", pair="good", model="ols")
        self.service.wait_for_metrics(
            lambda m: m.get("alphastream_pair_observations_total", pair="good", model="ols") > before + 20, 30,
            "the good pair trading on")
        self.assertEqual(m.get("alphastream_model_faulted", plugin="ols", pair="good", model="ols"), 0)

        added = "{name: worse, y: %s, x: %s, model: {plugin: %s, params: {throw_in_create: true}}}" % (
            ss.Y_SYMBOL, ss.X_SYMBOL, ESCAPING)
        self.write([self.good, self.bad, added])
        self.service.signal(signal.SIGHUP)
        self.service.wait_for_log("reload rejected, the running config stays:", 20)
        self.service.wait_for_log("threw from create: escaped from create", 5)
        self.assertIsNone(self.service.process.poll())
        self.assertEqual(self.service.stop(timeout_s=20), ss.EXIT_OK, self.service.log())
        self.service.check_no_sanitizer_report()


if __name__ == "__main__":
    unittest.main()
