"""The one download path, end to end over HTTP on 127.0.0.1: mirror URL, checksum, atomic
rename, progress bar, timeouts and retries, the offline switch, and the original d2l's
``DATA_HUB`` / ``download`` / ``download_extract`` / ``download_all``."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import pathlib
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator

import pytest

from d2lref import config
from d2lref.data import (
    DATA_HUB,
    DATA_URL,
    FASHION_MNIST_FILES,
    ChecksumMismatchError,
    DataError,
    DataNotFoundError,
    DownloadError,
    download,
    download_all,
    download_extract,
    hub,
    load_data_fashion_mnist,
    load_kaggle_house,
    staging,
)
from tests.d2lref.download_helpers import Mirror, StalledServer, on_progress

# The real data root; the tests that read it take the real_data fixture (skip or fail
# consistently when it is missing).
DATA = config.data_root()
needs_data = pytest.mark.usefixtures("real_data")

GZ_NAMES = [f"{name}.gz" for name in FASHION_MNIST_FILES]


@pytest.fixture
def mirror(tmp_path: pathlib.Path, real_data: pathlib.Path) -> Iterator[Mirror]:
    """The real data files (the ``.gz`` and CSV files of ``D2LREF_DATA``) as a mirror."""
    folder = tmp_path / "mirror"
    (folder / "FashionMNIST" / "raw").mkdir(parents=True)
    for name in GZ_NAMES:
        (folder / "FashionMNIST" / "raw" / name).symlink_to(DATA / "FashionMNIST" / "raw" / name)
    (folder / "kaggle_house").symlink_to(DATA / "kaggle_house")
    served = Mirror(folder)
    yield served
    served.close()


@pytest.fixture
def online(monkeypatch, mirror: Mirror, tmp_path: pathlib.Path) -> pathlib.Path:
    """Downloads on, from the local mirror, into a fresh data root (returned)."""
    root = tmp_path / "fresh-root"
    monkeypatch.setenv("D2LREF_OFFLINE", "0")
    monkeypatch.setenv("D2LREF_DATA_URL", mirror.url)
    monkeypatch.setenv("D2LREF_DATA", str(root))
    monkeypatch.setenv("D2LREF_DOWNLOAD_BACKOFF", "0.05")
    return root


def _md5(path: pathlib.Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _leftovers(folder: pathlib.Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.part"))


@needs_data
def test_fashion_mnist_downloads_verifies_and_loads(online, mirror, quick_mode, capfd):
    train_iter, test_iter = load_data_fashion_mnist(256)
    assert sorted(mirror.requested) == sorted(f"/FashionMNIST/raw/{n}" for n in GZ_NAMES)
    raw = online / "FashionMNIST" / "raw"
    for name, md5 in FASHION_MNIST_FILES.items():
        assert _md5(raw / name) == md5  # decompressed IDX files, as torchvision reads them
        assert (raw / f"{name}.gz").stat().st_size == (DATA / "FashionMNIST" / "raw"
                                                       / f"{name}.gz").stat().st_size
    assert _leftovers(online) == []
    out, err = capfd.readouterr()
    assert out.count("Downloading ") == 4 and mirror.url + "FashionMNIST/raw/" in out
    # The progress bar (tqdm, on stderr) reached the end of the largest file.
    assert "train-images-idx3-ubyte.gz" in err and "100%" in err and "25.2M" in err
    # Quick mode: the fixed class-balanced subset, batches of 256.
    assert len(train_iter.dataset) == 2048 and len(test_iter.dataset) == 1024
    X, y = next(iter(train_iter))
    assert tuple(X.shape) == (256, 1, 28, 28) and tuple(y.shape) == (256,)
    # Present and verified: a second load asks the mirror for nothing.
    load_data_fashion_mnist(256)
    assert len(mirror.requested) == 4


@needs_data
def test_kaggle_house_downloads_and_loads(online, mirror):
    train_df, test_df = load_kaggle_house()
    assert train_df.shape == (1460, 81) and test_df.shape == (1459, 80)
    assert sorted(mirror.requested) == ["/kaggle_house/kaggle_house_pred_test.csv",
                                        "/kaggle_house/kaggle_house_pred_train.csv"]
    assert _leftovers(online) == []


@needs_data
def test_a_missing_idx_file_is_rebuilt_from_its_gz_without_network(online, mirror):
    load_data_fashion_mnist(256)
    raw = online / "FashionMNIST" / "raw"
    (raw / "t10k-labels-idx1-ubyte").unlink()
    load_data_fashion_mnist(256, download=False)
    assert _md5(raw / "t10k-labels-idx1-ubyte") == FASHION_MNIST_FILES["t10k-labels-idx1-ubyte"]
    assert len(mirror.requested) == 4


@needs_data
def test_damaged_file_on_the_mirror_is_rejected_and_nothing_is_kept(online, mirror):
    (mirror.folder / "kaggle_house").unlink()
    (mirror.folder / "kaggle_house").mkdir()
    good = (DATA / "kaggle_house" / "kaggle_house_pred_test.csv").read_bytes()
    (mirror.folder / "kaggle_house" / "kaggle_house_pred_test.csv").write_bytes(good)
    damaged = bytearray((DATA / "kaggle_house" / "kaggle_house_pred_train.csv").read_bytes())
    damaged[1000] ^= 0x01
    (mirror.folder / "kaggle_house" / "kaggle_house_pred_train.csv").write_bytes(damaged)
    with pytest.raises(ChecksumMismatchError) as caught:
        load_kaggle_house()
    message = str(caught.value)
    assert mirror.url + "kaggle_house/kaggle_house_pred_train.csv" in message
    assert "SHA1 expected 585e9cc93e70b39160e7921475f9bcd7d31219ce" in message
    assert "nothing was saved" in message
    folder = online / "kaggle_house"
    assert not (folder / "kaggle_house_pred_train.csv").exists()
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


@needs_data
def test_damaged_gz_is_named_offline_and_replaced_online(online, mirror, monkeypatch):
    raw = online / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in GZ_NAMES:
        if name != "train-labels-idx1-ubyte.gz":
            (raw / name).symlink_to(DATA / "FashionMNIST" / "raw" / name)
    (raw / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b truncated")
    with pytest.raises(DataNotFoundError) as caught:
        load_data_fashion_mnist(256, download=False)
    message = str(caught.value)
    assert "damaged" in message and "train-labels-idx1-ubyte.gz" in message
    assert "network" not in message and mirror.requested == []
    monkeypatch.setenv("D2LREF_DATA_URL", mirror.url + "missing/")
    monkeypatch.setenv("D2LREF_DOWNLOAD_ATTEMPTS", "1")
    with pytest.raises(DownloadError, match=r"(?s)HTTP 404.*\n  train-labels-idx1-ubyte.gz "
                                            r"\(the copy there is damaged"):
        load_data_fashion_mnist(256)
    monkeypatch.setenv("D2LREF_DATA_URL", mirror.url)
    load_data_fashion_mnist(256)  # downloads are on: the damaged copy is replaced
    assert _md5(raw / "train-labels-idx1-ubyte") == FASHION_MNIST_FILES["train-labels-idx1-ubyte"]
    assert mirror.requested == ["/missing/FashionMNIST/raw/train-labels-idx1-ubyte.gz",
                                "/FashionMNIST/raw/train-labels-idx1-ubyte.gz"]


@needs_data
def test_offline_switch_downloads_nothing_and_says_what_to_do(online, mirror, monkeypatch):
    monkeypatch.setenv("D2LREF_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(DataNotFoundError) as caught:
        load_data_fashion_mnist(256, download=True)  # an argument does not beat the switch
    message = str(caught.value)
    assert str(online / "FashionMNIST" / "raw") in message
    assert "D2LREF_OFFLINE=1" in message and "D2LREF_DATA" in message
    with pytest.raises(DataNotFoundError, match="(?s)D2LREF_OFFLINE=1.*D2LREF_DATA"):
        load_kaggle_house()
    with pytest.raises(DataNotFoundError, match="kaggle_house_pred_train.csv.*D2LREF_OFFLINE"):
        download("kaggle_house_train", cache_dir=str(online / "hub"))
    assert time.monotonic() - started < 5  # fails fast
    assert mirror.requested == [] and not online.exists()


def test_allow_download_zero_turns_the_default_off(monkeypatch, tmp_path):
    monkeypatch.setenv("D2LREF_OFFLINE", "0")
    monkeypatch.setenv("D2LREF_ALLOW_DOWNLOAD", "0")
    with pytest.raises(DataNotFoundError, match="D2LREF_ALLOW_DOWNLOAD=0"):
        load_kaggle_house(tmp_path)


# --- the original API: DATA_HUB, download, download_extract, download_all ---------------------

def test_data_hub_holds_the_books_entries():
    assert DATA_URL == "http://d2l-data.s3-accelerate.amazonaws.com/"
    assert DATA_HUB["kaggle_house_train"] == (
        DATA_URL + "kaggle_house_pred_train.csv", "585e9cc93e70b39160e7921475f9bcd7d31219ce")
    assert DATA_HUB["kaggle_house_test"] == (
        DATA_URL + "kaggle_house_pred_test.csv", "fa19780a7b011d9b009e8bff8e99922a8ee2eb90")
    assert hub.mirror_path(DATA_HUB["kaggle_house_train"][0]) == (
        "kaggle_house/kaggle_house_pred_train.csv")
    assert hub.mirror_path(DATA_URL + "other/file.zip") == "other/file.zip"


@needs_data
def test_download_returns_the_path_and_reuses_a_good_copy(online, mirror, tmp_path, capsys):
    cache_dir = str(tmp_path / "cache")
    fname = download("kaggle_house_train", cache_dir=cache_dir)
    assert fname == os.path.join(cache_dir, "kaggle_house_pred_train.csv")
    assert hashlib.sha1(pathlib.Path(fname).read_bytes()).hexdigest() == (
        DATA_HUB["kaggle_house_train"][1])
    assert f"Downloading {fname} from {mirror.url}" in capsys.readouterr().out
    assert download("kaggle_house_train", cache_dir=cache_dir) == fname
    assert len(mirror.requested) == 1  # the verified copy was reused
    pathlib.Path(fname).write_text("edited")  # a damaged copy is replaced, as in the original
    download("kaggle_house_train", cache_dir=cache_dir)
    assert len(mirror.requested) == 2 and pathlib.Path(fname).stat().st_size == 460676
    with pytest.raises(ValueError, match="'nope' is not in DATA_HUB"):
        download("nope")


def _archive_entries(mirror: Mirror, monkeypatch) -> None:
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w:gz") as archive:
        payload = b"1,2,3\n"
        info = tarfile.TarInfo("tiny/values.csv")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    zip_bytes = io.BytesIO()
    with zipfile.ZipFile(zip_bytes, "w") as archive:
        archive.writestr("zipped/readme.txt", "hello")
    for name, content in (("tiny.tar.gz", tar_bytes.getvalue()),
                          ("zipped.zip", zip_bytes.getvalue())):
        (mirror.folder / name).write_bytes(content)
        monkeypatch.setitem(DATA_HUB, name.split(".")[0],
                            (DATA_URL + name, hashlib.sha1(content).hexdigest()))


@needs_data
def test_download_extract_and_download_all(online, mirror, tmp_path, monkeypatch):
    _archive_entries(mirror, monkeypatch)
    work = tmp_path / "work" / "notebooks"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)  # the original's default cache_dir is ../data
    folder = download_extract("tiny", "tiny")
    assert folder == os.path.join("..", "data", "tiny")
    assert (work / folder / "values.csv").read_text() == "1,2,3\n"
    assert download_extract("zipped") == os.path.join("..", "data", "zipped")
    assert (work / ".." / "data" / "zipped" / "readme.txt").read_text() == "hello"
    download_all()
    assert sorted(p.name for p in (tmp_path / "work" / "data").iterdir() if p.is_file()) == [
        "kaggle_house_pred_test.csv", "kaggle_house_pred_train.csv", "tiny.tar.gz",
        "zipped.zip"]


# --- timeouts, retries, interrupted and stale downloads -----------------------------------------

@pytest.fixture
def stalled(monkeypatch, tmp_path) -> Iterator[StalledServer]:
    server = StalledServer()
    monkeypatch.setenv("D2LREF_OFFLINE", "0")
    monkeypatch.setenv("D2LREF_DATA_URL", server.url)
    monkeypatch.setenv("D2LREF_DATA", str(tmp_path / "root"))
    yield server
    server.close()


def test_a_stalled_server_fails_in_time_naming_url_and_fix(stalled, monkeypatch, tmp_path):
    monkeypatch.setenv("D2LREF_CONNECT_TIMEOUT", "0.5")
    monkeypatch.setenv("D2LREF_READ_TIMEOUT", "0.5")
    monkeypatch.setenv("D2LREF_DOWNLOAD_ATTEMPTS", "3")
    monkeypatch.setenv("D2LREF_DOWNLOAD_BACKOFF", "0.1")
    settings = config.download_settings()
    assert settings.worst_case_seconds() == pytest.approx(3 * 1.0 + 0.1 + 0.2)
    started = time.monotonic()
    with pytest.raises(DownloadError) as caught:
        load_kaggle_house()
    elapsed = time.monotonic() - started
    # Three read timeouts of 0.5 s and pauses of 0.1 s and 0.2 s; never more than the bound.
    assert 3 * 0.5 + 0.3 <= elapsed <= settings.worst_case_seconds() + 1.0
    assert len(stalled.accepted) == 3
    message = str(caught.value)
    assert stalled.url + "kaggle_house/kaggle_house_pred_train.csv" in message
    assert "3 attempt(s)" in message and "no answer within the timeout" in message
    assert "D2LREF_DATA_URL" in message and str(tmp_path / "root" / "kaggle_house") in message
    assert isinstance(caught.value, DataError) and isinstance(caught.value, ConnectionError)
    assert _leftovers(tmp_path / "root") == []


def test_a_stalled_tls_handshake_is_bounded_by_the_connect_timeout(stalled, monkeypatch):
    monkeypatch.setenv("D2LREF_DATA_URL", stalled.url.replace("http://", "https://"))
    monkeypatch.setenv("D2LREF_CONNECT_TIMEOUT", "0.3")
    monkeypatch.setenv("D2LREF_READ_TIMEOUT", "30")
    monkeypatch.setenv("D2LREF_DOWNLOAD_ATTEMPTS", "2")
    monkeypatch.setenv("D2LREF_DOWNLOAD_BACKOFF", "0")
    started = time.monotonic()
    with pytest.raises(DownloadError, match=r"https://127\.0\.0\.1:\d+/kaggle_house/.*timeout"):
        load_kaggle_house()
    assert time.monotonic() - started < 5  # the handshake never waited for the read timeout
    assert len(stalled.accepted) == 2


def test_default_settings_give_up_within_60_seconds(monkeypatch):
    for variable in ("D2LREF_CONNECT_TIMEOUT", "D2LREF_READ_TIMEOUT",
                     "D2LREF_DOWNLOAD_ATTEMPTS", "D2LREF_DOWNLOAD_BACKOFF"):
        monkeypatch.delenv(variable, raising=False)
    settings = config.download_settings()
    assert settings == config.DownloadSettings()
    assert settings.attempts >= 2 and settings.connect_timeout > 0 and settings.read_timeout > 0
    # Every attempt waits for the connection and then for an answer; pauses in between.
    worst = (settings.attempts * (settings.connect_timeout + settings.read_timeout)
             + sum(settings.backoff * 2**i for i in range(settings.attempts - 1)))
    assert settings.worst_case_seconds() == pytest.approx(worst)
    assert worst <= 60


@pytest.mark.slow
def test_a_stalled_server_with_the_default_settings(stalled, monkeypatch, capsys):
    """Measures the real failure time with the defaults (about 39 s: 3 x 12 s + 1 s + 2 s)."""
    for variable in ("D2LREF_CONNECT_TIMEOUT", "D2LREF_READ_TIMEOUT",
                     "D2LREF_DOWNLOAD_ATTEMPTS", "D2LREF_DOWNLOAD_BACKOFF"):
        monkeypatch.delenv(variable, raising=False)
    defaults = config.DownloadSettings()
    started = time.monotonic()
    with pytest.raises(DownloadError, match="kaggle_house_pred_train.csv"):
        load_kaggle_house()
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\nstalled server, default settings: failed after {elapsed:.1f} s")
    stall_time = defaults.attempts * defaults.read_timeout + sum(defaults.backoff_delays())
    assert stall_time <= elapsed <= 60


def test_an_http_error_is_not_retried(online, mirror):
    (mirror.folder / "kaggle_house").unlink()
    with pytest.raises(DownloadError, match=r"HTTP 404") as caught:
        load_kaggle_house()
    assert "1 attempt(s)" in str(caught.value) and len(mirror.requested) == 1


class TruncatingServer(http.server.BaseHTTPRequestHandler):
    """Promises 1000 bytes and sends 10, then closes the connection."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"0123456789")
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format, *args):  # noqa: A002
        pass


def test_a_truncated_answer_is_retried_then_reported(monkeypatch, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TruncatingServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("D2LREF_OFFLINE", "0")
        monkeypatch.setenv("D2LREF_DATA_URL", f"http://127.0.0.1:{server.server_address[1]}/")
        monkeypatch.setenv("D2LREF_DOWNLOAD_BACKOFF", "0")
        with pytest.raises(DownloadError, match="3 attempt.*IncompleteRead"):
            load_kaggle_house(tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert list((tmp_path / "kaggle_house").iterdir()) == []


def _dead_pid() -> int:
    """The id of a process that has ended."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@needs_data
def test_an_interrupted_download_leaves_nothing_and_stale_parts_go(online, mirror, monkeypatch):
    folder = online / "kaggle_house"
    folder.mkdir(parents=True)
    host = staging._HOST
    # Left by a download killed on this machine: its process has ended.
    killed = folder / f".kaggle_house_pred_train.csv.{host}.{_dead_pid()}.dead.part"
    killed.write_bytes(b"half a file")
    # Another running process's temporary, untouched for an hour (a slow transfer): kept.
    live = folder / f".kaggle_house_pred_test.csv.{host}.{os.getpid()}.beef.part"
    live.write_bytes(b"")
    old = time.time() - 3700
    os.utime(live, (old, old))

    def interrupt(count: int) -> None:
        raise KeyboardInterrupt  # Ctrl+C in the middle of the transfer

    with monkeypatch.context() as interrupted:
        on_progress(interrupted, interrupt)
        with pytest.raises(KeyboardInterrupt):
            load_kaggle_house()
    assert not killed.exists()  # a killed download's leftover is cleaned up the next time
    assert live.exists()  # a live process's temporary is never removed, however old
    assert sorted(p.name for p in folder.iterdir()) == [live.name]  # no part, no lock left
    load_kaggle_house()
    assert (folder / "kaggle_house_pred_train.csv").stat().st_size == 460676


def _read_only(*args, **kwargs):
    raise OSError(30, "Read-only file system")  # errno.EROFS


@pytest.mark.parametrize("step", ["_locked_file", "_create_part"])
def test_a_read_only_data_root_says_so(monkeypatch, tmp_path, step):
    monkeypatch.setenv("D2LREF_OFFLINE", "0")
    monkeypatch.setenv("D2LREF_DATA_URL", "http://127.0.0.1:9/")
    monkeypatch.setattr(staging, step, _read_only)
    with pytest.raises(DataError) as caught:
        load_kaggle_house(tmp_path)
    message = str(caught.value)
    assert "read-only" in message and str(tmp_path / "kaggle_house") in message
    assert "D2LREF_DATA" in message and "network" not in message


@needs_data
def test_decompressing_into_a_read_only_root_says_so(monkeypatch, tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in GZ_NAMES:
        (raw / name).symlink_to(DATA / "FashionMNIST" / "raw" / name)

    def permission_denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")  # errno.EACCES

    monkeypatch.setattr(staging, "_locked_file", permission_denied)
    with pytest.raises(DataError) as caught:  # the suite is offline: no network involved
        load_data_fashion_mnist(256, root=tmp_path)
    message = str(caught.value)
    assert f"cannot write to {raw}" in message and "read-only" in message
    assert "network" not in message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can write to a read-only folder")
def test_a_read_only_folder_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("D2LREF_OFFLINE", "0")
    monkeypatch.setenv("D2LREF_DATA_URL", "http://127.0.0.1:9/")
    (tmp_path / "kaggle_house").mkdir()
    (tmp_path / "kaggle_house").chmod(0o555)
    try:
        with pytest.raises(DataError, match="read-only"):
            load_kaggle_house(tmp_path)
    finally:
        (tmp_path / "kaggle_house").chmod(0o755)


@pytest.mark.parametrize("variable, value", [("D2LREF_READ_TIMEOUT", "soon"),
                                             ("D2LREF_DOWNLOAD_ATTEMPTS", "0"),
                                             ("D2LREF_OFFLINE", "maybe"),
                                             ("D2LREF_DATA_URL", "mirror.example")])
def test_bad_settings_are_clear_errors(monkeypatch, variable, value):
    monkeypatch.setenv("D2LREF_OFFLINE", "0")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable):
        config.download_settings()
        config.downloads_off_reason()
        config.data_mirror_url()
