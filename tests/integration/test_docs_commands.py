"""The code blocks of README.md and docs/*.md run as written, in a plain shell, after a demo.

Every shell block (```` ```bash ````, ``sh``, ``shell``, ``console``) carries a marker in its
fence's info string: ``doctest-run`` (this test runs it) or ``doctest-skip`` (the prose beside
it says why: a network, a cluster, minutes of benchmark, a server that does not exit). A
shell block without a marker fails the test, so a new command in the docs is either run here
or deliberately not. ``python doctest-run`` blocks run with the project's interpreter.

"Plain shell": ``bash -euo pipefail`` in the repository root, ``PATH`` without ``.venv/bin``,
no ``DAGSTER_HOME`` and no other ``PERP_FRAGILITY_*`` setting than the data directory, which
points at a copy of the session's pipeline data (four simulated weeks to 2026-W47, the state
``make demo`` leaves, on a shorter window) so a block cannot change the shared fixture. Each
block is bounded in time.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e  # runs documented commands against the session's pipeline data

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
SHELLS = {"bash", "sh", "shell", "console"}
RUN, SKIP = "doctest-run", "doctest-skip"
BLOCK_TIMEOUT_S = 300
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^`\n]*)$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    language: str
    markers: frozenset[str]
    code: str

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(REPO_ROOT)}:{self.line}"


def code_blocks(path: Path) -> list[Block]:
    """Fenced blocks of a Markdown file (indented fences too: list items), dedented."""
    blocks: list[Block] = []
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        words = opening["info"].split()
        indent = len(opening["indent"])
        body: list[str] = []
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            body.append(lines[end][indent:] if lines[end][:indent].strip() == "" else lines[end])
            end += 1
        blocks.append(
            Block(
                path=path,
                line=index + 1,
                language=words[0].lower() if words else "",
                markers=frozenset(words[1:]),
                code="\n".join(body) + "\n",
            )
        )
        index = end + 1
    return blocks


ALL_BLOCKS = [block for path in DOCS for block in code_blocks(path)]
RUNNABLE = [b for b in ALL_BLOCKS if RUN in b.markers]


def test_every_shell_block_says_whether_it_runs() -> None:
    unmarked = [
        b.name for b in ALL_BLOCKS if b.language in SHELLS and not ({RUN, SKIP} & b.markers)
    ]
    assert not unmarked, f"shell blocks without doctest-run/doctest-skip: {unmarked}"
    assert len(RUNNABLE) >= 4, "the docs lost their runnable command blocks"


@pytest.fixture(scope="module")
def docs_data_dir(pipeline_run: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the pipeline's data directory without its (ephemeral) instance."""
    data_dir = tmp_path_factory.mktemp("docs") / "data"
    shutil.copytree(
        pipeline_run.data_dir,
        data_dir,
        ignore=shutil.ignore_patterns("dagster_home", "*.lock", "*.wal"),
    )
    return data_dir


def plain_shell_env(data_dir: Path) -> dict[str, str]:
    """The environment of a fresh terminal in the checkout, with the demo's data directory."""
    venv_bin = str(Path(sys.executable).parent)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PERP_FRAGILITY_", "DAGSTER_", "DBT_", "VIRTUAL_ENV", "PYTEST"))
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin
    )
    env["PERP_FRAGILITY_DATA_DIR"] = str(data_dir)
    return env


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.name for b in RUNNABLE])
def test_documented_block_runs_as_written(block: Block, docs_data_dir: Path) -> None:
    if block.language in SHELLS:
        command = ["bash", "-euo", "pipefail", "-c", block.code]
    elif block.language == "python":
        command = [str(REPO_ROOT / ".venv" / "bin" / "python"), "-c", block.code]
    else:
        pytest.fail(f"{block.name}: doctest-run on a {block.language!r} block")
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=plain_shell_env(docs_data_dir),
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, (
        f"{block.name} exited {result.returncode}:\n{block.code}\n"
        f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
