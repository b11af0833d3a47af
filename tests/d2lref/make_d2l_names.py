"""Write ``d2l_0_17_6_names.json``: the names of d2l 0.17.6's ``d2l/torch.py`` the facade keeps.

Run once against the original file (from ``pip download --no-deps d2l==0.17.6``, a wheel is a
zip): ``python tests/d2lref/make_d2l_names.py path/to/d2l/torch.py``. It lists every public
function and class defined before the chapter-8 helpers (``read_time_machine``) with its
parameters, the module-level constants, and the whole alias block at the end of the file.
"""

from __future__ import annotations

import ast
import json
import pathlib
import re
import sys

FIRST_EXCLUDED = "read_time_machine"  # the chapter-8 helpers start here
OUTPUT = pathlib.Path(__file__).with_name("d2l_0_17_6_names.json")


def _parameters(function: ast.FunctionDef | ast.Lambda, skip_self: bool) -> list[dict]:
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    rows = [{"name": arg.arg, "default": None if default is None else ast.unparse(default)}
            for arg, default in zip(positional, defaults, strict=True)]
    if args.vararg:
        rows.append({"name": args.vararg.arg, "kind": "var_positional"})
    if args.kwarg:
        rows.append({"name": args.kwarg.arg, "kind": "var_keyword"})
    return rows[1:] if skip_self else rows


def _section(node: ast.AST) -> str | None:
    docstring = ast.get_docstring(node) or ""
    if isinstance(node, ast.ClassDef) and not docstring.count(":numref:"):
        init = next((item for item in node.body if isinstance(item, ast.FunctionDef)
                     and item.name == "__init__"), None)
        docstring = ast.get_docstring(init) or "" if init is not None else ""
    match = re.search(r":numref:`([^`]+)`", docstring)
    return match.group(1) if match else None


def collect(source: str) -> dict:
    tree = ast.parse(source)
    functions, classes, constants, aliases = {}, {}, [], {}
    seen_excluded = False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == FIRST_EXCLUDED:
            seen_excluded = True
        if isinstance(node, ast.FunctionDef) and not seen_excluded:
            if not node.name.startswith("_"):
                functions[node.name] = {"parameters": _parameters(node, skip_self=False),
                                        "section": _section(node)}
        elif isinstance(node, ast.ClassDef) and not seen_excluded:
            if not node.name.startswith("_"):
                init = next((item for item in node.body if isinstance(item, ast.FunctionDef)
                             and item.name == "__init__"), None)
                methods = sorted(item.name for item in node.body
                                 if isinstance(item, ast.FunctionDef) and item.name != "__init__")
                classes[node.name] = {
                    "parameters": _parameters(init, skip_self=True) if init else [],
                    "methods": methods, "section": _section(node)}
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Name):
            name = node.targets[0].id
            if seen_excluded:  # after the chapter-8 helpers: only the alias block remains
                value = node.value
                aliases[name] = ({"lambda": ast.unparse(value),
                                  "parameters": _parameters(value, skip_self=False)}
                                 if isinstance(value, ast.Lambda) else
                                 {"value": ast.unparse(value)})
            elif not name.startswith("_") and name != "d2l" and name not in constants:
                constants.append(name)
    # The alias block is the run of assignments at the very end of the file.
    last_def = max(i for i, node in enumerate(tree.body)
                   if isinstance(node, ast.FunctionDef | ast.ClassDef))
    block = {node.targets[0].id for node in tree.body[last_def + 1:]
             if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    aliases = {name: value for name, value in aliases.items() if name in block}
    return {"source": "d2l 0.17.6, d2l/torch.py (sections before read_time_machine)",
            "functions": functions, "classes": classes, "constants": constants,
            "aliases": aliases}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/d2lref/make_d2l_names.py path/to/d2l/torch.py")
        return 2
    names = collect(pathlib.Path(argv[0]).read_text(encoding="utf-8"))
    OUTPUT.write_text(json.dumps(names, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}: {len(names['functions'])} functions, {len(names['classes'])} "
          f"classes, {len(names['constants'])} constants, {len(names['aliases'])} aliases")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
