"""The store: schema checked on load, digests against hand edits, file modes, declared inputs."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from book.cells import SnippetError, parse_snippet
from book.render.context import RenderContext
from book.render.page import parse_page
from book.render.site import render_site
from book.runner import RunOptions, SnippetRunError, check_inputs_committed, kernel_env
from book.store.files import migrate_store, read_store, store_path, write_store
from book.store.keys import cell_keys, committed_inputs, uncommitted_inputs
from book.store.schema import StoreError, seal_record
from tests.book.helpers import write

LIB = "0" * 64


def sealed_store(outputs=None) -> dict:
    record = seal_record({"key": "k" * 64, "execution_count": 1, "duration_s": 0.5,
                          "outputs": outputs or [{"type": "text", "text": "6"}]})
    return {"format": 2, "runs": {"quick": {"mode": "quick", "date": "2026-12-01T00:00:00",
                                            "cells": {"total": record}}}}


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def broken(change) -> dict:
    data = sealed_store()
    change(data)
    return data


@pytest.mark.parametrize(
    ("damage", "field"),
    [
        (lambda d: d["runs"].__setitem__("quick", "yesterday"), "'runs.quick'"),
        (lambda d: d["runs"]["quick"].__setitem__("cells", []), "'runs.quick.cells'"),
        (lambda d: d["runs"]["quick"]["cells"]["total"].pop("key"),
         "'runs.quick.cells.total.key'"),
        (lambda d: d["runs"]["quick"]["cells"]["total"].__setitem__("outputs", "6"),
         "'runs.quick.cells.total.outputs'"),
        (lambda d: d["runs"]["quick"]["cells"]["total"]["outputs"][0].__setitem__("type", "x"),
         "'runs.quick.cells.total.outputs[0].type'"),
        (lambda d: d["runs"]["quick"]["cells"]["total"]["outputs"].__setitem__(0, "6"),
         "'runs.quick.cells.total.outputs[0]'"),
        (lambda d: d["runs"].__setitem__("fast", {}), "'runs.fast'"),
        (lambda d: d.__setitem__("runs", None), "'runs'"),
        (lambda d: d["runs"]["quick"].pop("date"), "'runs.quick.date'"),
    ],
)
def test_wrong_shapes_name_the_file_and_the_field(tmp_path, damage, field):
    path = write_json(tmp_path / "page.outputs.json", broken(damage))
    with pytest.raises(StoreError) as info:
        read_store(path)
    message = str(info.value)
    assert str(path) in message and field in message
    assert "git checkout --" in message  # and how to fix it


def test_a_store_that_is_not_an_object_or_not_text_names_the_file(tmp_path):
    listed = write_json(tmp_path / "a.outputs.json", [1, 2])
    with pytest.raises(StoreError, match=r"a\.outputs\.json: field '\(top level\)' is list"):
        read_store(listed)
    garbage = tmp_path / "b.outputs.json"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00binary")
    with pytest.raises(StoreError, match=r"b\.outputs\.json is not a text file \(byte 0"):
        read_store(garbage)


def test_hand_edited_output_text_fails_the_digest(tmp_path):
    data = sealed_store([{"type": "stream", "name": "stdout", "text": "accuracy 0.81\n"}])
    path = write_json(tmp_path / "page.outputs.json", data)
    assert read_store(path)["runs"]["quick"]["cells"]["total"]["outputs"][0]["text"]
    path.write_text(path.read_text().replace("0.81", "0.91"))
    with pytest.raises(StoreError, match="do not match their digest: they were edited by hand"):
        read_store(path)


def test_hand_edited_output_fails_the_strict_build(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    from book.cells import load_snippet

    snippet = load_snippet(tiny_book / "snippets/demo/page.py", tiny_book / "snippets")
    keys = cell_keys(snippet, LIB, tiny_book)
    cells = {name: seal_record({"key": key, "execution_count": 1, "duration_s": 0.1,
                                "outputs": [{"type": "text", "text": "6"}]})
             for name, key in keys.items()}
    path = store_path(tiny_book / "snippets", "demo/page.py")
    write_store(path, {"runs": {"full": {"mode": "full", "date": "2026-12-01", "cells": cells}}})
    path.write_text(path.read_text().replace('"text": "6"', '"text": "7"', 1))
    page = parse_page((tiny_book / "docs/zh/demo/page.md").read_text(), "demo/page.md", tiny_book)
    ctx = RenderContext(repo_dir=tiny_book)
    render_site(page, ctx)  # the hook logs these as warnings: mkdocs --strict fails on them
    assert any("edited by hand" in problem and str(path) in problem for problem in ctx.problems)


def test_write_store_refuses_records_the_runner_did_not_seal(tmp_path):
    data = sealed_store()
    data["runs"]["quick"]["cells"]["total"]["outputs"] = [{"type": "text", "text": "forged"}]
    with pytest.raises(StoreError, match="digest"):
        write_store(tmp_path / "p.outputs.json", data)


def test_older_stores_are_migrated_without_changing_outputs(tmp_path):
    data = sealed_store()
    del data["format"]
    record = data["runs"]["quick"]["cells"]["total"]
    del record["digest"]
    path = write_json(tmp_path / "p.outputs.json", data)
    with pytest.raises(StoreError, match="older runner.*python -m book migrate"):
        read_store(path)
    assert migrate_store(path) is True
    migrated = read_store(path)
    assert migrated["runs"]["quick"]["cells"]["total"]["outputs"] == record["outputs"]
    assert migrate_store(path) is False  # already current


def test_migrate_refuses_to_seal_outputs_edited_by_hand(tmp_path):
    # A current store, edited by hand, its format field removed or set to 1 so that an
    # upgrade would re-seal it as fresh.
    for change in (lambda d: d.pop("format"), lambda d: d.__setitem__("format", 1)):
        data = sealed_store([{"type": "stream", "name": "stdout", "text": "accuracy 0.81\n"}])
        change(data)
        path = write_json(tmp_path / "p.outputs.json", data)
        path.write_text(path.read_text().replace("0.81", "0.91"))
        before = path.read_bytes()
        with pytest.raises(StoreError, match="edited by hand|field 'format' is 1, not 2"):
            migrate_store(path)
        assert path.read_bytes() == before


def test_migrate_keeps_a_sealed_record_of_a_store_without_its_format_field(tmp_path):
    data = sealed_store()
    del data["format"]
    path = write_json(tmp_path / "p.outputs.json", data)
    assert migrate_store(path) is True
    assert read_store(path)["runs"] == sealed_store()["runs"]


PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ({"type": "png", "data": "not base64 at all!"}, "is not base64 text"),
        ({"type": "png", "data": "R0lGODlhAQABAAAAACw="}, "is not PNG data"),  # a GIF
        ({"type": "jpeg", "data": PNG_1PX}, "is not JPEG data"),
    ],
)
def test_invalid_image_data_fails_the_schema_check_naming_store_and_field(
    tmp_path, image, problem
):
    path = write_json(tmp_path / "page.outputs.json", sealed_store([image]))
    with pytest.raises(StoreError) as info:
        read_store(path)
    assert str(info.value).startswith(
        f"{path}: field 'runs.quick.cells.total.outputs[0].data' {problem}")


def test_valid_image_data_passes(tmp_path):
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0 a JPEG").decode()
    path = write_json(tmp_path / "page.outputs.json", sealed_store([
        {"type": "png", "data": PNG_1PX + "\n"}, {"type": "jpeg", "data": jpeg}]))
    assert len(read_store(path)["runs"]["quick"]["cells"]["total"]["outputs"]) == 2


def test_an_invalid_image_on_a_page_is_a_build_problem_not_a_traceback(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    from book.cells import load_snippet

    snippet = load_snippet(tiny_book / "snippets/demo/page.py", tiny_book / "snippets")
    cells = {name: seal_record({"key": key, "execution_count": 1, "duration_s": 0.1,
                                "outputs": [{"type": "png", "data": "bm90IGEgcG5n"}]})
             for name, key in cell_keys(snippet, LIB, tiny_book).items()}
    path = write_json(store_path(tiny_book / "snippets", "demo/page.py"), {
        "format": 2, "runs": {"full": {"mode": "full", "date": "2026-12-01", "cells": cells}}})
    page = parse_page((tiny_book / "docs/zh/demo/page.md").read_text(), "demo/page.md", tiny_book)
    ctx = RenderContext(repo_dir=tiny_book)
    render_site(page, ctx)  # the hook logs these as warnings: mkdocs --strict fails on them
    assert ctx.problems[0].startswith(
        f"{path}: field 'runs.full.cells.setup.outputs[0].data' is not PNG data")


def test_the_runner_leaves_out_an_invalid_image_with_a_warning():
    from book.outputs import collect_outputs
    from d2lref.training.report import METRICS_MIME_TYPE

    warnings: list[str] = []
    shown = [{"output_type": "display_data", "metadata": {}, "data": {"image/png": data}}
             for data in ("Z2FyYmFnZQ==", PNG_1PX)]
    records = collect_outputs(shown, METRICS_MIME_TYPE, warnings.append)
    assert records == [{"type": "png", "data": PNG_1PX}]
    assert warnings == ["a PNG figure was left out: its data is not PNG data (it lacks the "
                        "PNG file signature)"]


def test_writes_keep_the_file_mode_and_new_files_are_0644(tmp_path):
    old_umask = os.umask(0o077)  # a strict umask must not make the outputs private
    try:
        path = tmp_path / "new.outputs.json"
        write_store(path, sealed_store())
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        os.chmod(path, 0o664)
        write_store(path, sealed_store())
        assert stat.S_IMODE(path.stat().st_mode) == 0o664
    finally:
        os.umask(old_umask)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.outputs.json"]


def test_relative_data_root_is_resolved_against_the_callers_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("D2LREF_DATA", "my-data")
    assert kernel_env(RunOptions())["D2LREF_DATA"] == str(tmp_path / "my-data")
    assert kernel_env(RunOptions(data_root="../other"))["D2LREF_DATA"] == str(
        tmp_path.parent / "other")


# --- declared inputs ------------------------------------------------------------------------

READS_SNIPPET = """
# %% load
# reads: results/*.json
import json, pathlib
print(sorted(p.name for p in pathlib.Path('results').glob('*.json')))

# %% after
print('later')
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo,
                   check=True, capture_output=True)


@pytest.fixture
def repo_with_results(tmp_path) -> Path:
    write(tmp_path / "snippets" / "perf.py", READS_SNIPPET)
    write(tmp_path / "results" / "cpu-2026-11-25.json", '{"speed": 1}\n')
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first results")
    return tmp_path


def keys_of(repo: Path) -> dict[str, str]:
    text = (repo / "snippets" / "perf.py").read_text()
    return cell_keys(parse_snippet(text, "perf.py"), LIB, repo)


def test_a_committed_results_file_makes_the_page_stale(repo_with_results):
    repo = repo_with_results
    before = keys_of(repo)
    # A local benchmark run writes a new file: nothing changes until it is committed...
    write(repo / "results" / "cpu-2026-12-01.json", '{"speed": 2}\n')
    assert keys_of(repo) == before
    assert uncommitted_inputs(repo, ["results/*.json"]) == ["results/cpu-2026-12-01.json"]
    # ... and the runner refuses to show uncommitted results on the page.
    snippet = parse_snippet((repo / "snippets" / "perf.py").read_text(), "perf.py")
    with pytest.raises(SnippetRunError, match="not committed: results/cpu-2026-12-01.json"):
        check_inputs_committed(snippet, repo)
    git(repo, "add", "results")
    git(repo, "commit", "-qm", "new results")
    after = keys_of(repo)
    assert after["load"] != before["load"] and after["after"] != before["after"]
    check_inputs_committed(snippet, repo)  # committed: runs again
    # Editing a committed result (then committing) stales the page too.
    write(repo / "results" / "cpu-2026-11-25.json", '{"speed": 3}\n')
    assert keys_of(repo) == after
    git(repo, "commit", "-qam", "fix")
    assert keys_of(repo)["load"] != after["load"]


def test_exported_tree_without_git_gets_the_same_keys(repo_with_results, tmp_path_factory):
    keys = keys_of(repo_with_results)
    export = tmp_path_factory.mktemp("export")
    for rel in ("snippets/perf.py", "results/cpu-2026-11-25.json"):
        write(export / rel, (repo_with_results / rel).read_text())
    assert keys_of(export) == keys
    assert committed_inputs(export, ["results/*.json"], "x") == committed_inputs(
        repo_with_results, ["results/*.json"], "x")


def test_a_declaration_that_matches_nothing_is_an_error(repo_with_results):
    text = READS_SNIPPET.replace("results/*.json", "results/*.csv")
    with pytest.raises(SnippetError, match=r"'# reads: results/\*\.csv' matches no committed"):
        cell_keys(parse_snippet(text, "perf.py"), LIB, repo_with_results)
    outside = READS_SNIPPET.replace("results/*.json", "../secrets/*.json")
    with pytest.raises(SnippetError, match="relative to the repository root"):
        cell_keys(parse_snippet(outside, "perf.py"), LIB, repo_with_results)


def test_the_performance_page_declares_the_benchmark_results():
    from book.cells import load_snippet
    from book.paths import REPO_DIR
    from book.store.keys import snippet_inputs

    snippet = load_snippet(REPO_DIR / "snippets" / "performance.py", REPO_DIR / "snippets")
    assert "book/bench/results/*.json" in snippet_inputs(snippet)
    inputs = committed_inputs(REPO_DIR, snippet_inputs(snippet), "performance")
    assert any(path.startswith("book/bench/results/cpu-") for path in inputs)
