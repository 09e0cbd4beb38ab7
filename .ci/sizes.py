"""The size limits of docs/architecture.md: no module over 400 lines outside migrations, no
function over 60 lines unless its docstring says why (a line starting "Long because").
Prints each breach and exits 1 if there is one."""

import ast
import pathlib
import sys

ROOTS = ["core", "experts", "reviews", "consultations", "cms", "config"]
MAX_MODULE, MAX_FUNCTION = 400, 60


def breaches(root):
    for path in sorted(pathlib.Path(root).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_MODULE:
            yield f"{path}: {lines} lines (at most {MAX_MODULE})"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                doc = ast.get_docstring(node) or ""
                if length > MAX_FUNCTION and "Long because" not in doc:
                    yield f"{path}:{node.lineno} {node.name}: {length} lines (at most {MAX_FUNCTION})"


if __name__ == "__main__":
    found = [line for root in ROOTS for line in breaches(root)]
    print("\n".join(found) or "sizes: every module and function within the limits")
    sys.exit(1 if found else 0)
