"""The docs harness must be able to fail: each way a document can rot is shown
to it once, in a temporary markdown file, and must be reported (CTest
docs.harness). The real documents are run by scripts/test_docs.sh."""

import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

HARNESS = Path(__file__).with_name("check_markdown.py")
FENCE = "```"


def check(markdown: str, *flags: str, name: str = "doc.md") -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as d:
        doc = Path(d) / name
        (Path(d) / "other.md").write_text("# Other page\n\n## A section\n")
        doc.write_text(textwrap.dedent(markdown).replace("FENCE", FENCE))
        return subprocess.run([sys.executable, str(HARNESS), *flags, str(doc)],
                              capture_output=True, text=True, timeout=120)


class Harness(unittest.TestCase):
    def assertFails(self, markdown: str, message: str, *flags: str, name: str = "doc.md") -> None:
        p = check(markdown, *flags, name=name)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn(message, p.stdout)

    def test_good_document_passes(self):
        p = check("""
            # Title
            See [the other page](other.md#a-section) and [here](#title).
            <!-- doc-test: write /tmp/crgb-doc-harness/hello.txt -->
            FENCEtext
            hello
            FENCE
            FENCEsh
            grep -qx hello /tmp/crgb-doc-harness/hello.txt
            FENCE
            <!-- doc-test: skip needs a GPU -->
            FENCEsh
            nvidia-smi
            FENCE
            FENCEjson
            {"shown": "only"}
            FENCE
            """)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("2 blocks ran, 1 skipped (reason given), 1 shown only, 0 failures", p.stdout)

    def test_failing_command(self):
        self.assertFails("FENCEsh\nfalse\nFENCE\n", "FAIL")

    def test_first_failing_line_of_a_block_fails_it(self):
        self.assertFails("FENCEsh\nfalse\ntrue\nFENCE\n", "exit status 1")

    def test_missing_file_link(self):
        self.assertFails("[x](missing.md)\n", "link to a missing file", "--links-only")

    def test_missing_anchor(self):
        self.assertFails("[x](other.md#no-such-section)\n", "link to a missing heading", "--links-only")

    def test_placeholder(self):
        self.assertFails("# T\n<!-- MEASURED: results table -->\n", "placeholder left", "--links-only")

    def test_block_without_language(self):
        self.assertFails("FENCE\nls\nFENCE\n", "without a known language tag")

    def test_skip_needs_a_reason(self):
        self.assertFails("<!-- doc-test: skip -->\nFENCEsh\nls\nFENCE\n", "needs a reason")

    def test_readme_too_long(self):
        self.assertFails("# T\n" + "text\n" * 249, "250 lines, at most 249", "--links-only",
                         name="README.md")
        p = check("# T\n" + "text\n" * 248, "--links-only", name="README.md")
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_write_outside_tmp(self):
        self.assertFails("<!-- doc-test: write /etc/x -->\nFENCEtext\nx\nFENCE\n", "outside /tmp")


if __name__ == "__main__":
    unittest.main()
