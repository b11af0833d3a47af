"""No network call in d2lref (the library) or in the book's machinery (the runner, the
benchmarks) can hang.

Scans the source with ``ast``: every call that opens a connection must pass a timeout, and
calls that cannot take one (``urlretrieve``, torchvision's ``download=True``) are refused.
A new call without a timeout fails this test, naming the file and line.
"""

from __future__ import annotations

import ast
import pathlib

import d2lref

PACKAGE = pathlib.Path(d2lref.__file__).parent
# The book's machinery, beside the library in the repository.
BOOK = PACKAGE.parent / "book"

# Call name -> position of the timeout argument when passed positionally (None: keyword only).
TIMEOUT_POSITION = {
    "urlopen": 2,  # urlopen(url, data=None, timeout=...)
    "create_connection": 1,  # socket.create_connection(address, timeout=...)
    "HTTPConnection": 2,  # HTTPConnection(host, port=None, timeout=...)
    "HTTPSConnection": 2,
    "FTP": None,
    "SMTP": None,
}
# Module-level clients whose request functions all take ``timeout=`` (and default to none).
CLIENT_MODULES = {"requests", "httpx", "urllib3"}
NO_TIMEOUT_POSSIBLE = {"urlretrieve"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _has_timeout(call: ast.Call, position: int | None) -> bool:
    if any(keyword.arg == "timeout" for keyword in call.keywords):
        return True
    return position is not None and len(call.args) > position


def _enclosing_scopes(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    """Each call -> the innermost function (or the module) that contains it."""
    scopes: dict[ast.AST, ast.AST] = {}

    def visit(node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Call):
                scopes[child] = scope
            visit(child, child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                              | ast.Lambda) else scope)

    visit(tree, tree)
    return scopes


def _calls_settimeout(scope: ast.AST) -> bool:
    return any(isinstance(node, ast.Call) and _name(node.func) == "settimeout"
               for node in ast.walk(scope))


def network_calls_without_timeout(source: str, filename: str) -> tuple[int, list[str]]:
    """``(number of network calls found, problems)`` for one Python source."""
    tree = ast.parse(source, filename)
    found, problems = 0, []
    for call, scope in _enclosing_scopes(tree).items():
        name = _name(call.func)
        receiver = _name(call.func.value) if isinstance(call.func, ast.Attribute) else ""
        where = f"{filename}:{call.lineno}"
        if name in NO_TIMEOUT_POSSIBLE:
            problems.append(f"{where}: {name} cannot take a timeout; use "
                            "d2lref.data.hub.fetch_file")
        elif any(keyword.arg == "download" and isinstance(keyword.value, ast.Constant)
                 and keyword.value.value is True for keyword in call.keywords):
            problems.append(f"{where}: download=True hands the download to code without "
                            "timeouts; use d2lref.data.hub.fetch_file")
        elif name in TIMEOUT_POSITION or receiver in CLIENT_MODULES or (
                name == "open" and "opener" in receiver.lower()):
            found += 1
            if not _has_timeout(call, TIMEOUT_POSITION.get(name)):
                label = f"{receiver}.{name}" if receiver else name
                problems.append(f"{where}: {label}(...) without timeout=")
        elif name == "socket" and receiver in ("socket", ""):
            # A raw socket: the function that makes it must give it a timeout.
            found += 1
            if not _calls_settimeout(scope):
                problems.append(f"{where}: socket.socket() in a function that never calls "
                                "settimeout()")
    return found, sorted(problems, key=lambda problem: int(problem.split(":")[1]))


def test_every_network_call_in_d2lref_has_a_timeout():
    found, problems = 0, []
    files = sorted([*PACKAGE.rglob("*.py"), *BOOK.rglob("*.py")])
    assert any(path.parts[-2:] == ("book", "runner.py") for path in files)  # the runner too
    for path in files:
        count, issues = network_calls_without_timeout(path.read_text(encoding="utf-8"),
                                                      str(path.relative_to(PACKAGE.parent)))
        found += count
        problems += issues
    assert problems == []
    assert found >= 1  # the download path itself is seen (the scan is not blind)


def test_the_scan_catches_calls_without_a_timeout():
    source = '''
import socket, urllib.request, requests, torchvision

def fetch(url):
    urllib.request.urlopen(url)
    urllib.request.urlopen(url, None, 5)
    requests.get(url)
    requests.get(url, timeout=(5, 10))
    socket.create_connection(("example.org", 80))
    opener = urllib.request.build_opener()
    opener.open(url)
    urllib.request.urlretrieve(url, "x")
    torchvision.datasets.FashionMNIST("data", download=True)

def raw():
    sock = socket.socket()
    sock.connect(("example.org", 80))

def raw_with_timeout():
    sock = socket.socket()
    sock.settimeout(3)
'''
    found, problems = network_calls_without_timeout(source, "sample.py")
    assert [problem.split(":")[1] for problem in problems] == [
        "5", "7", "9", "11", "12", "13", "16"]
    assert found == 8  # urlopen x2, requests.get x2, create_connection, opener.open, sockets x2
