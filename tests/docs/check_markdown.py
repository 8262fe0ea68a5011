#!/usr/bin/env python3
"""Runs the documentation: every fenced block of README.md, CHANGELOG.md and
docs/*.md, and checks every relative link (docs/testing.md, "Tested docs").

A block runs according to its language tag:
  sh, bash     bash -euo pipefail, from the repository root;
  python       the Python that has what it imports: /usr/bin/python3 (Debian's
               PyTorch) when it imports torch, else .venv-tf/bin/python
               (TensorFlow, JAX, NumPy), both seeing the crgb that
               scripts/test_python.sh installed (build-python/site);
  c, cpp       built as a program against the installed CMake package
               (find_package(crgb), crgb::crgb) and run;
  text, json, console, cmake, ini, diff
               shown to the reader, not run.
A block without a language tag is an error, so nothing escapes by accident.

A marker on the line just before a block changes that:
  <!-- doc-test: skip REASON -->     not run, the reason reported (GPU only,
                                     the test command itself, ...);
  <!-- doc-test: write /tmp/PATH --> the block's text is written to that file
                                     (under /tmp only), for later blocks.

A document also fails on a relative link whose file or heading anchor does not
exist, and on a left-over placeholder (a MEASURED marker, TODO, TBD, the old
AUTOSCHED_TABLE / AUTOTUNE_RESULT names); README.md also when it reaches 250
lines.

  check_markdown.py [--links-only] [--list] [FILE.md ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_LANGS = {"sh", "bash", "python", "c", "cpp"}
SHOWN_LANGS = {"text", "json", "console", "cmake", "ini", "diff"}
MARKER = re.compile(r"^<!--\s*doc-test:\s*(\w+)\s*(.*?)\s*-->$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*$")
LINK = re.compile(r"(?<!!)\[(?:[^\]]|\\\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
PLACEHOLDERS = re.compile(r"<!--\s*MEASURED|\bTODO\b|\bTBD\b|AUTOSCHED_TABLE|AUTOTUNE_RESULT")
README_MAX_LINES = 250  # README.md stays under this (the docs issue's rule)
BLOCK_TIMEOUT_S = int(os.environ.get("CRGB_DOC_BLOCK_TIMEOUT", "900"))


@dataclasses.dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    marker: tuple[str, str] | None  # (kind, argument)

    def where(self) -> str:
        return f"{rel(self.path)}:{self.line}"


def rel(path: Path) -> str:
    return os.path.relpath(path, ROOT)


def parse(path: Path) -> tuple[list[Block], list[str]]:
    """The fenced blocks of one markdown file, and the parse errors."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, errors = [], []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, start = m.group(2), m.group(3).lower(), i
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        if i == len(lines):
            errors.append(f"{rel(path)}:{start + 1}: unclosed code fence")
        i += 1
        prev = start - 1
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        marker = None
        if prev >= 0 and (mm := MARKER.match(lines[prev].strip())):
            marker = (mm.group(1), mm.group(2))
        indent = len(m.group(1))
        text = "\n".join(b[indent:] if b[:indent].isspace() else b for b in body) + "\n"
        blocks.append(Block(path, start + 1, lang, text, marker))
    return blocks, errors


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|__", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


@functools.lru_cache(maxsize=None)
def anchors(path: Path) -> frozenset[str]:
    """The heading anchors of one file (read once, however many links point at it)."""
    found, seen, in_fence = set(), {}, False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or not (m := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)):
            continue
        base = slug(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return frozenset(found)


def check_text(path: Path) -> list[str]:
    """Broken relative links and left-over placeholders in one file, and a
    README.md that has grown past the five-minute read it is meant to be."""
    errors, in_fence = [], False
    name = rel(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.name == "README.md" and len(lines) >= README_MAX_LINES:
        errors.append(f"{name}: {len(lines)} lines, at most {README_MAX_LINES - 1} "
                      "(move details into docs/)")
    for number, line in enumerate(lines, 1):
        if FENCE.match(line):
            in_fence = not in_fence
        if PLACEHOLDERS.search(line) and "doc-test" not in line:
            errors.append(f"{name}:{number}: placeholder left: {line.strip()[:80]}")
        if in_fence:
            continue
        for target in LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # http:, https:, mailto:
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            if not dest.exists():
                errors.append(f"{name}:{number}: link to a missing file: {target}")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                errors.append(f"{name}:{number}: link to a missing heading: {target}")
    return errors


class Runner:
    def __init__(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="crgb-doc-test."))
        self.prefix: Path | None = None

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    def run(self, block: Block) -> tuple[str, str]:
        """('pass' | 'skip' | 'shown' | 'fail', detail)."""
        if block.marker:
            kind, arg = block.marker
            if kind == "skip":
                return ("skip", arg) if arg else ("fail", "a skip marker needs a reason")
            if kind == "write":
                target = Path(arg)
                if not target.is_absolute() or target.parts[1] != "tmp":
                    return "fail", f"write marker outside /tmp: {arg}"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(block.text, encoding="utf-8")
                return "pass", f"wrote {arg}"
            return "fail", f"unknown doc-test marker: {kind}"
        if block.lang in SHOWN_LANGS:
            return "shown", ""
        if block.lang not in RUN_LANGS:
            return "fail", f"code block without a known language tag ('{block.lang}')"
        if block.lang in ("sh", "bash"):
            return self.shell(block.text)
        if block.lang == "python":
            return self.python(block.text)
        return self.program(block)

    def exec(self, argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[str, str]:
        try:
            p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                               timeout=BLOCK_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return "fail", f"timed out after {BLOCK_TIMEOUT_S} s"
        out = (p.stdout + p.stderr).strip()
        if p.returncode != 0:
            return "fail", f"exit status {p.returncode}\n{out[-4000:]}"
        return "pass", out[-300:]

    def shell(self, text: str) -> tuple[str, str]:
        return self.exec(["bash", "-euo", "pipefail", "-c", text])

    def python(self, text: str) -> tuple[str, str]:
        torch = re.search(r"^\s*(import torch|from torch|import crgb\.torch|from crgb.torch|"
                          r"from crgb import torch)", text, re.M)
        python = "/usr/bin/python3" if torch else str(ROOT / ".venv-tf/bin/python")
        env = dict(os.environ, PYTHONPATH=str(ROOT / "build-python/site"))
        script = self.work / "block.py"
        script.write_text(text, encoding="utf-8")
        return self.exec([python, str(script)], env=env)

    def install(self) -> tuple[str, str]:
        self.prefix = self.work / "prefix"
        return self.exec([str(ROOT / ".venv/bin/cmake"), "--install", "build", "--prefix",
                          str(self.prefix)])

    def program(self, block: Block) -> tuple[str, str]:
        if self.prefix is None:
            state, detail = self.install()
            if state != "pass":
                return state, "cmake --install build: " + detail
        project = self.work / f"program_{block.line}"
        project.mkdir()
        source = "main.c" if block.lang == "c" else "main.cpp"
        (project / source).write_text(block.text, encoding="utf-8")
        (project / "CMakeLists.txt").write_text(
            "cmake_minimum_required(VERSION 3.16)\nproject(doc_block LANGUAGES C CXX)\n"
            "set(CMAKE_CXX_STANDARD 17)\nfind_package(crgb REQUIRED)\n"
            f"add_executable(doc_block {source})\n"
            "target_link_libraries(doc_block PRIVATE crgb::crgb)\n", encoding="utf-8")
        cmake = str(ROOT / ".venv/bin/cmake")
        for argv in ([cmake, "-S", str(project), "-B", str(project / "b"), "-G", "Ninja",
                      f"-DCMAKE_MAKE_PROGRAM={ROOT / '.venv/bin/ninja'}",
                      f"-DCMAKE_PREFIX_PATH={self.prefix}", "-DCMAKE_C_FLAGS=-Wall -Werror",
                      "-DCMAKE_CXX_FLAGS=-Wall -Werror"],
                     [cmake, "--build", str(project / "b")],
                     [str(project / "b" / "doc_block")]):
            state, detail = self.exec(argv, cwd=project)
            if state != "pass":
                return state, f"{' '.join(argv[:3])}: {detail}"
        return state, detail


def documents(args: list[str]) -> list[Path]:
    if args:
        return [Path(a).resolve() for a in args]
    return [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="markdown files (default: README, CHANGELOG, docs/*.md)")
    parser.add_argument("--links-only", action="store_true", help="check links and placeholders, run nothing")
    parser.add_argument("--list", action="store_true", help="list the blocks and what would happen")
    opts = parser.parse_args()
    errors, blocks = [], []
    for path in documents(opts.files):
        if not path.exists():
            errors.append(f"missing document: {path}")
            continue
        found, parse_errors = parse(path)
        blocks += found
        errors += parse_errors + check_text(path)
    for e in errors:
        print("FAIL", e)
    if opts.list:
        for b in blocks:
            print(b.where(), b.lang or "(none)", b.marker or "")
        return 1 if errors else 0
    counts = {"pass": 0, "skip": 0, "shown": 0, "fail": len(errors)}
    if not opts.links_only:
        runner = Runner()
        try:
            for b in blocks:
                start = time.monotonic()
                state, detail = runner.run(b)
                counts[state] += 1
                if state == "shown":
                    continue
                took = time.monotonic() - start
                line = f"{state.upper():4} {b.where()} {b.lang} ({took:.1f} s)"
                if state == "skip":
                    line += f": {detail}"
                print(line, flush=True)
                if state == "fail":
                    print("     " + detail.replace("\n", "\n     "), flush=True)
        finally:
            runner.close()
    print(f"docs: {counts['pass']} blocks ran, {counts['skip']} skipped (reason given), "
          f"{counts['shown']} shown only, {counts['fail']} failures")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
