"""The statement tree of a Python test file, for lib/frameworks/pytest/test-source.ts, from Python's own
parser: reads {"source": "..."} as JSON on stdin and prints {"body": [statement, ...]} or {"error": "..."}.

A statement is {"kind": "function" | "class" | "other", "start", "end"} with 1-based line numbers
(`start` is that of the first decorator, `end` the statement's last line), plus for a function or
class its "name" and "docstring" (cleaned as inspect.cleandoc does, or null), and for a function
whether a decorator parametrizes it, for a class its "body" and whether it defines __init__.
"""
import ast
import json
import sys


def _is_parametrize(decorator):
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "parametrize"


def _statement(node):
    start = min([node.lineno] + [decorator.lineno for decorator in getattr(node, "decorator_list", [])])
    described = {"kind": "other", "start": start, "end": node.end_lineno}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        described.update(
            kind="function",
            name=node.name,
            docstring=ast.get_docstring(node),
            parametrized=any(_is_parametrize(decorator) for decorator in node.decorator_list),
        )
    elif isinstance(node, ast.ClassDef):
        described.update(
            kind="class",
            name=node.name,
            docstring=ast.get_docstring(node),
            parametrized=any(_is_parametrize(decorator) for decorator in node.decorator_list),
            hasInit=any(isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name == "__init__" for child in node.body),
            body=[_statement(child) for child in node.body],
        )
    return described


def main():
    source = json.load(sys.stdin)["source"]
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        json.dump({"error": f"{type(error).__name__}: {error.msg} (line {error.lineno or 0})"}, sys.stdout)
        return
    except (ValueError, RecursionError, MemoryError) as error:
        json.dump({"error": f"{type(error).__name__}: {error}"}, sys.stdout)
        return
    json.dump({"body": [_statement(node) for node in tree.body]}, sys.stdout)


main()
