"""`alphastream journal` and `journal --repair` on a real LMDB journal that
holds a poisoned aggregate id (written by tests/storage/journal_helper
through the engine's own recorder): the scan finds it by the live feed's
rule, the repair drops it and the resume point, and refuses while a
recorder in another process holds the journal."""
import os
import subprocess
import unittest

import cli_support as cs

HELPER = os.environ.get("JOURNAL_HELPER", "")
POISON = 900_000_000_000


class JournalRepair(unittest.TestCase):
    def setUp(self):
        self.dir = cs.fresh_dir("journal_repair")
        self.journal = os.path.join(self.dir, "journal")

    def record_ids(self, ids):
        done = subprocess.run([HELPER, "record-ids", self.journal] + [str(i) for i in ids],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)

    def symbol_line(self, done):
        return next(l for l in done.stdout.splitlines() if l.startswith("symbol  BTCUSDT:"))

    def test_a_poisoned_id_is_found_dropped_and_the_resume_point_rewritten(self):
        # A real jump the next id continues (an outage) stays; the poisoned
        # id in the middle goes.
        self.record_ids([1, 2, 3, POISON, 4, 5, 50_000_000, 50_000_001])
        done = cs.run(["journal", "--journal", self.journal])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        line = self.symbol_line(done)
        self.assertIn("8 trades", line)
        self.assertIn("1 implausible ids; resume point stored %d, plausible 50000001" % POISON, line)
        self.assertIn("BTCUSDT: implausible id %d at " % POISON, done.stdout)
        self.assertIn("journal --repair", done.stdout)

        done = cs.run(["journal", "--journal", self.journal, "--repair"])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        self.assertIn("repair  dropped 1 records", done.stdout)
        self.assertIn("repair  BTCUSDT: 8 -> 7 trades, resume point %d -> 50000001" % POISON, done.stdout)

        done = cs.run(["journal", "--journal", self.journal])
        line = self.symbol_line(done)
        self.assertIn("7 trades", line)
        self.assertIn("ids 1 .. 50000001", line)
        self.assertIn("0 implausible ids; resume point stored 50000001, plausible 50000001", line)
        self.assertNotIn("note", done.stdout)
        # Nothing left to repair: nothing changes.
        done = cs.run(["journal", "--journal", self.journal, "--repair"])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        self.assertIn("repair  nothing to drop", done.stdout)

    def test_a_jump_at_the_end_that_nothing_confirms_is_implausible(self):
        self.record_ids([10, 11, POISON])
        done = cs.run(["journal", "--journal", self.journal])
        self.assertIn("1 implausible ids; resume point stored %d, plausible 11" % POISON, self.symbol_line(done))

    def test_repair_is_refused_while_a_recorder_holds_the_journal(self):
        self.record_ids([1, 2, POISON, 3])
        recorder = subprocess.Popen([HELPER, "record", self.journal, "10", "1"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(recorder.stdout.readline().strip(), "14")  # 4 + 10 committed
            done = cs.run(["journal", "--journal", self.journal, "--repair"])
            self.assertEqual(done.returncode, cs.EXIT_FAILURE, cs.describe(done))
            self.assertIn("another process is recording into it", done.stderr)
            self.assertIn("stop the service that records into it first", done.stderr)
        finally:
            recorder.stdin.close()
            recorder.wait(timeout=30)
            recorder.stdout.close()
        # Nothing was changed: the scan still sees the poisoned id.
        done = cs.run(["journal", "--journal", self.journal])
        self.assertIn("resume point stored %d" % POISON, self.symbol_line(done))
        done = cs.run(["journal", "--journal", self.journal, "--repair"])
        self.assertEqual(done.returncode, cs.EXIT_OK, cs.describe(done))
        self.assertIn("repair  dropped 1 records", done.stdout)


if __name__ == "__main__":
    unittest.main()
