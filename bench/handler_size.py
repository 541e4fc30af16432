"""How long the chat handlers are: ``python -m bench.handler_size`` (``--max 40 --median 15``
makes it fail when a limit is passed; the tests run it so).

A handler is a function python-telegram-bot calls with an update: its first parameters are
``(update, context)``, or it is wrapped by the kit (``@command``, ``@button``) or the access
decorators (``@registered``, ``@requires``). Its length is counted from ``def`` to its last
line, docstring included, decorators not.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = ("offline",)  # the fake Telegram server is not the bot's handlers


@dataclass(frozen=True)
class Found:
    where: str
    lines: int


DECORATORS = {"command", "button", "registered", "requires", "anyone", "anyone_button"}


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def _is_handler(node: ast.AsyncFunctionDef | ast.FunctionDef) -> bool:
    names = [arg.arg for arg in node.args.args]
    decorated = any(_decorator_name(d) in DECORATORS for d in node.decorator_list)
    return decorated or names[:2] == ["update", "context"]


def handlers(root: Path = ROOT / "bot") -> list[Found]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if any(part in SKIPPED for part in path.relative_to(root).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and _is_handler(node):
                assert node.end_lineno is not None
                where = f"{path.relative_to(root.parent)}:{node.lineno} {node.name}"
                found.append(Found(where, node.end_lineno - node.lineno + 1))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, help="fail if a handler is longer")
    parser.add_argument("--median", type=int, help="fail if the median is longer")
    parser.add_argument("--longest", type=int, default=5, help="list this many of the longest")
    args = parser.parse_args(argv)
    found = handlers()
    sizes = [f.lines for f in found]
    median = statistics.median(sizes)
    print(f"handlers: {len(found)}, median {median:g} lines, longest {max(sizes)} lines")
    for item in sorted(found, key=lambda f: -f.lines)[: args.longest]:
        print(f"  {item.lines:4d}  {item.where}")
    over = [f for f in found if args.max is not None and f.lines > args.max]
    if over or (args.median is not None and median > args.median):
        print(f"over the limits: {len(over)} handlers longer than {args.max}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
