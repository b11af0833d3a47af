"""Downloads against misbehaving servers and shared folders: a trickling server fails in
time, bytes count as they arrive, two downloads of one file share the work, files get the
umask's mode, a reader's own DATA_HUB entries fall back to their own URL, the full-disk fix
names the right setting, and one error lists every missing file of a data set."""

from __future__ import annotations

import hashlib
import os
import pathlib
import threading
import time
import traceback
from collections.abc import Iterator

import pytest

from d2lref import config
from d2lref.data import (
    DATA_HUB,
    DATA_URL,
    FASHION_MNIST_FILES,
    DataError,
    DownloadError,
    download,
    hub,
    load_data_fashion_mnist,
    load_kaggle_house,
)
from d2lref.data.fashion_mnist import FASHION_MNIST_URL
from tests.d2lref.download_helpers import (
    Mirror,
    ScriptedServer,
    StalledServer,
    ok_headers,
    on_progress,
    trickle,
)

PAYLOAD = b"a,b\n" + b"1,2\n" * 2000  # 8004 bytes
PAYLOAD_SHA1 = hashlib.sha1(PAYLOAD).hexdigest()


@pytest.fixture
def downloads_on(monkeypatch) -> None:
    """Downloads allowed, quick retries (the servers are all on 127.0.0.1)."""
    monkeypatch.setenv("D2LREF_OFFLINE", "0")
    monkeypatch.setenv("D2LREF_DOWNLOAD_BACKOFF", "0.1")


@pytest.fixture
def serve() -> Iterator:
    """``serve(steps)`` starts a ScriptedServer that is closed after the test."""
    servers: list[StalledServer] = []

    def start(steps) -> ScriptedServer:
        servers.append(ScriptedServer(steps))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _hub_entry(monkeypatch, url: str, sha1: str = PAYLOAD_SHA1) -> str:
    monkeypatch.setitem(DATA_HUB, "reader_file", (url, sha1))
    return "reader_file"


# --- item 6: an overall bound per attempt, bytes counted as they arrive ----------------------

@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_trickling_server_fails_within_the_bound(downloads_on, serve, monkeypatch, tmp_path,
                                                   where):
    # 20 bytes/s for at most 8 s: far below the minimum rate of 1 KiB/s.
    if where == "body":
        server = serve(lambda: [(ok_headers(100_000), 0.0)] + trickle(b"x" * 160, 0.05))
    else:
        server = serve(lambda: trickle(ok_headers(100_000), 0.05))
    monkeypatch.setenv("D2LREF_READ_TIMEOUT", "0.5")
    monkeypatch.setenv("D2LREF_DOWNLOAD_ATTEMPTS", "2")
    settings = config.download_settings()
    name = _hub_entry(monkeypatch, server.url + "slow.csv")
    started = time.monotonic()
    with pytest.raises(DownloadError) as caught:
        download(name, cache_dir=str(tmp_path))
    elapsed = time.monotonic() - started
    # Two windows of 0.5 s and a pause of 0.1 s; the old per-read timeout never ended.
    assert 2 * 0.5 + 0.1 <= elapsed <= settings.worst_case_seconds() + 1.0
    assert server.requests == 2
    assert "2 attempt(s)" in str(caught.value) and "too slow: received" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_the_progress_bar_advances_as_bytes_arrive(downloads_on, serve, monkeypatch, tmp_path):
    pieces = [PAYLOAD[i:i + 1000] for i in range(0, len(PAYLOAD), 1000)]
    server = serve(lambda: [(ok_headers(len(PAYLOAD)), 0.0)] + [(p, 0.1) for p in pieces])
    updates: list[int] = []
    on_progress(monkeypatch, updates.append)
    path = download(_hub_entry(monkeypatch, server.url + "pieces.csv"), str(tmp_path))
    assert pathlib.Path(path).read_bytes() == PAYLOAD
    # One update per piece as it arrived (a buffered 64 KiB read would give one update).
    assert len(updates) >= len(pieces) and max(updates) <= 1000 and sum(updates) == len(PAYLOAD)


def test_readme_bound_holds_for_silent_and_trickling_servers():
    defaults = config.DownloadSettings()
    assert defaults.worst_case_seconds() == 3 * (5 + 12) + 1 + 2 == 54
    readme = (pathlib.Path(__file__).parents[2] / "README.md").read_text("utf-8")
    assert "3 × (5 + 12) + 1 + 2 = 54 s" in readme and "D2LREF_DOWNLOAD_MIN_RATE" in readme


# --- item 7: two downloads of one target ------------------------------------------------------

def test_a_second_download_waits_for_the_first_and_removes_nothing(downloads_on, serve,
                                                                     tmp_path, capsys):
    """Two downloads of one file at once (two threads: each opens the lock file itself, as
    two processes would). The first one's temporary looks abandoned, but is not removed."""
    release = threading.Event()
    server = serve(lambda: [(ok_headers(len(PAYLOAD)) + PAYLOAD[:100], release),
                            (PAYLOAD[100:], 0.0)])
    target = tmp_path / "shared" / "file.csv"
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            hub.fetch_file(server.url + "file.csv", target, PAYLOAD_SHA1, "sha1", label="test")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    first = threading.Thread(target=fetch)
    first.start()
    assert _wait_for(lambda: list(target.parent.glob("*.part")))
    [part] = target.parent.glob("*.part")
    old = time.time() - 3 * 3600  # as if nothing had been written to it for hours
    os.utime(part, (old, old))
    second = threading.Thread(target=fetch)
    second.start()
    waiting = _wait_for(lambda: "Waiting for another process" in capsys.readouterr().out)
    release.set()  # the first download may finish now
    first.join(30)
    second.join(30)
    assert errors == [] and waiting
    assert server.requests == 1  # the second found the file the first had verified
    assert target.read_bytes() == PAYLOAD
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.csv"]


def _wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# --- item 8: the usual file mode ----------------------------------------------------------------

@pytest.fixture
def umask_027() -> Iterator[int]:
    previous = os.umask(0o027)
    yield 0o640
    os.umask(previous)


def test_downloaded_files_get_the_umask_mode(downloads_on, serve, monkeypatch, tmp_path,
                                             umask_027):
    server = serve(lambda: [(ok_headers(len(PAYLOAD)) + PAYLOAD, 0.0)])
    path = download(_hub_entry(monkeypatch, server.url + "file.csv"), str(tmp_path))
    assert pathlib.Path(path).stat().st_mode & 0o777 == umask_027  # was 0600


def test_decompressed_files_get_the_umask_mode(fashion_mnist_root, tmp_path, umask_027):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FASHION_MNIST_FILES:
        (raw / f"{name}.gz").symlink_to(fashion_mnist_root / "FashionMNIST" / "raw"
                                        / f"{name}.gz")
    load_data_fashion_mnist(256, root=tmp_path)
    assert {(raw / name).stat().st_mode & 0o777 for name in FASHION_MNIST_FILES} == {umask_027}


# --- item 9: a reader's own entries with a mirror; the full-disk fix ----------------------------

def test_a_readers_entry_falls_back_to_its_own_url(downloads_on, serve, monkeypatch, tmp_path,
                                                   capsys):
    mirror_folder = tmp_path / "mirror"
    mirror_folder.mkdir()
    mirror = Mirror(mirror_folder)  # a lab mirror of the book's files only
    try:
        monkeypatch.setenv("D2LREF_DATA_URL", mirror.url)
        own = serve(lambda: [(ok_headers(len(PAYLOAD)) + PAYLOAD, 0.0)])
        url = own.url + "datasets/mine.csv"
        assert hub.source_urls(url) == [mirror.url + "mine.csv", url]
        assert hub.source_urls(DATA_URL + "other/x.zip") == [mirror.url + "other/x.zip"]
        path = download(_hub_entry(monkeypatch, url), str(tmp_path / "data"))
    finally:
        mirror.close()
    assert pathlib.Path(path).read_bytes() == PAYLOAD
    assert mirror.requested == ["/mine.csv"] and own.requests == 1
    assert f"{mirror.url}mine.csv failed (1 attempt(s)" in capsys.readouterr().out


@pytest.mark.parametrize("caller, fix", [("download", "point cache_dir= at a folder"),
                                         ("loader", "point D2LREF_DATA (or root=) at a")])
def test_a_full_disk_names_the_setting_the_caller_uses(downloads_on, monkeypatch, tmp_path,
                                                        caller, fix):
    monkeypatch.setenv("D2LREF_DATA_URL", "http://127.0.0.1:9/")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")  # errno.ENOSPC

    monkeypatch.setattr(hub, "fetch_once", disk_full)
    with pytest.raises(DataError) as caught:
        if caller == "download":
            download("kaggle_house_train", cache_dir=str(tmp_path))
        else:
            load_kaggle_house(tmp_path)
    message = str(caught.value)
    assert "the disk is full" in message and fix in message
    if caller == "download":
        assert "D2LREF_DATA" not in message  # download() does not read it


# --- issue 22, item 6: every missing file in one error, the message first ------------------

def test_a_failed_download_lists_every_missing_file(downloads_on, tmp_path, monkeypatch):
    stalled = StalledServer()
    try:
        monkeypatch.setenv("D2LREF_DATA_URL", stalled.url)
        monkeypatch.setenv("D2LREF_READ_TIMEOUT", "0.3")
        monkeypatch.setenv("D2LREF_DOWNLOAD_ATTEMPTS", "1")
        with pytest.raises(DownloadError) as caught:
            load_data_fashion_mnist(256, root=tmp_path)
    finally:
        stalled.close()
    assert len(stalled.accepted) == 1  # the others would fail the same way: not tried
    lines = str(caught.value).splitlines()
    folder = tmp_path / "FashionMNIST" / "raw"
    assert lines[0].startswith(f"Fashion-MNIST: 4 files missing in {folder}: could not "
                               f"download {stalled.url}FashionMNIST/raw/train-images")
    for name in FASHION_MNIST_FILES:
        assert f"  {name}.gz: {FASHION_MNIST_URL}{name}.gz" in lines
    assert lines[-2].startswith(f"Mirror: D2LREF_DATA_URL={stalled.url} ")
    assert f"copy the files by hand into {folder}" in lines[-1]
    # The traceback is the reader's own calls, not urllib's and socket's.
    error = caught.value
    assert error.__cause__ is None and error.__suppress_context__
    shown = traceback.format_exception(error)
    assert len(shown) < 12 and not any("urllib" in frame for frame in shown)
