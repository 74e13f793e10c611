"""The README's examples are real: each shown output is what the code prints today."""

from __future__ import annotations

import contextlib
import doctest
import io
import re

import surveillance_ties as st

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_example_prints_the_output_shown() -> None:
    code, shown = re.search(r"```python\n(.*?)```\n\n```text\n(.*?)```", README, re.S).groups()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == shown


def test_pycon_examples_pass_as_doctests() -> None:
    blocks = re.findall(r"```pycon\n(.*?)```", README, re.S)
    assert len(blocks) == 2
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, {"st": st}, f"README-{i}", "README.md", 0)
        runner.run(test)
    assert (runner.failures, runner.tries) == (0, 3)


def test_citation_shown_is_the_one_the_loader_gives() -> None:
    shown = re.search(r"For version 0\.1\.0:\n\n> (.*?)\n> (.*?)\n", README).groups()
    assert " ".join(shown) == st.load("organizations").attrs["citation"].replace(", table organizations", "")
    assert f"version {st.__version__} " in " ".join(shown)
