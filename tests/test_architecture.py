"""The layout's rules, checked on the source: the matcher is a pure engine that imports only
the standard library, views write to the database only through the unit of work, and only the
read model reads services for display."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"flask", "sqlalchemy", "marshmallow", "whoosh", "yaml", "directory", "werkzeug"}


def test_matcher_imports_nothing_from_the_web_stack():
    code = "import sys, matcher; print(*sorted({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert not FORBIDDEN & set(out.stdout.split())


def test_no_matcher_module_mentions_the_web_stack_in_an_import():
    for path in (ROOT / "matcher").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.strip().replace(",", " ").split()
            if words[:1] in (["import"], ["from"]):
                assert words[1].split(".")[0] not in FORBIDDEN, f"{path}: {line}"


# --- views write only through the unit of work ----------------------------------------------------

# The modules that handle requests: every blueprint's views, and the sign-in views.
WEB = ROOT / "directory" / "web"
VIEWS = sorted({*WEB.glob("*.py"), ROOT / "directory" / "auth" / "views.py"}
               - {WEB / "unit_of_work.py"})
# Session methods that write or end a transaction; `execute` counts only with a DML statement.
WRITES = {"commit", "rollback", "flush", "add", "add_all", "delete", "merge", "bulk_save_objects",
          "bulk_insert_mappings", "bulk_update_mappings", "begin", "begin_nested"}
DML = {"insert", "update", "delete"}


def _is_session(node: ast.expr) -> bool:
    """session, db_session, db, work.session, get_session(): what a view's session looks like."""
    if isinstance(node, ast.Name):
        return node.id == "db" or node.id.endswith("session")
    if isinstance(node, ast.Attribute):
        return node.attr.endswith("session")
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name == "get_session"
    return False


def _called_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
        while isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call):
            node = node.value.func  # update(X).where(...).values(...) -> update
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


def session_writes(source: str) -> list[str]:
    """Each `line: call` in source that writes through a session instead of the unit of work."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, node.func.value
        if not _is_session(receiver):
            continue
        dml = method == "execute" and node.args and _called_name(node.args[0]) in DML
        if method in WRITES or dml:
            found.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def problems(paths, check) -> dict[str, list[str]]:
    """path -> what `check` found in its source, for each of the paths where it found any."""
    return {path.relative_to(ROOT).as_posix(): found for path in paths
            if (found := check(path.read_text(encoding="utf-8")))}


def test_views_write_only_through_the_unit_of_work():
    assert VIEWS, "no view modules found"
    found = problems(VIEWS, session_writes)
    assert not found, f"use directory.web.unit_of_work.commit instead: {found}"


@pytest.mark.parametrize("line", [
    "get_session().commit()",
    "session.add(org)",
    "session.flush()",
    "session.rollback()",
    "work.session.delete(row)",
    "session.execute(sa.update(User).where(User.id == 1).values(active=False))",
    "session.execute(delete(Report))",
])
def test_the_view_check_finds_a_session_write(line):
    assert session_writes(line)


@pytest.mark.parametrize("line", [
    "session.execute(select(User.role, func.count()).group_by(User.role))",
    "found.add(item)",
    "work.add(org)",
    "work.flush()",
    "session.scalars(select(User))",
])
def test_the_view_check_lets_reads_and_the_unit_of_work_through(line):
    assert not session_writes(line)


# --- the matcher is plain Python -----------------------------------------------------------------


def non_stdlib_imports(source: str) -> list[str]:
    """Top-level modules source imports that are neither the standard library nor matcher."""
    allowed = set(sys.stdlib_module_names) | {"matcher", "__future__"}
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:  # a relative import stays inside the package
            continue
        found += [f"{node.lineno}: {n}" for n in names if n.split(".")[0] not in allowed]
    return found


def test_the_matcher_imports_only_the_standard_library():
    modules = sorted((ROOT / "matcher").rglob("*.py"))
    assert modules
    assert not problems(modules, non_stdlib_imports)


@pytest.mark.parametrize("line", ["import numpy", "from sqlalchemy.orm import Session",
                                  "import json, yaml", "    import directory.geocoding"])
def test_the_matcher_check_finds_an_outside_import(line):
    assert non_stdlib_imports(f"def f():\n{line if line.startswith(' ') else '    ' + line}\n")


# --- one read model --------------------------------------------------------------------------------

DIRECTORY = ROOT / "directory"
# The modules that show services, search them or match them: the public pages, the workspace,
# the plan, the search index and its fallback, the matcher's adapter and its API. They choose
# services by key and read what they show from the read model (directory/service_facts.py).
DISPLAY = sorted({
    DIRECTORY / "browse.py", DIRECTORY / "plans.py", DIRECTORY / "matching.py",
    *(DIRECTORY / "search").glob("*.py"), DIRECTORY / "api" / "match.py",
    *(DIRECTORY / "web" / name for name in (
        "public.py", "results.py", "workspace.py", "plan_page.py", "present.py", "ical.py")),
})
KEYS = {"id", "public_id"}  # what choosing a service needs; anything else is what it shows


def _is_service(node: ast.AST) -> bool:
    """`Service`, or `models.Service` / `m.Service`."""
    return ((isinstance(node, ast.Name) and node.id == "Service")
            or (isinstance(node, ast.Attribute) and node.attr == "Service"))


def service_reads(source: str) -> list[str]:
    """Each `line: call` in source that reads a service's row or shown columns itself."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node.func)
        if name == "select":
            # Service.x anywhere in what is selected (type_coerce(Service.status, ...) too).
            read = [n for arg in node.args for n in ast.walk(arg)
                    if (_is_service(n) and arg is n)
                    or (isinstance(n, ast.Attribute) and _is_service(n.value)
                        and n.attr not in KEYS)]
        elif name in ("get", "query"):  # session.get(Service, 1), session.query(Service)
            read = [a for a in node.args[:1] if _is_service(a)]
        else:
            continue
        if read:
            found.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_only_the_read_model_reads_services_for_display():
    assert len(DISPLAY) > 10 and all(path.exists() for path in DISPLAY)
    found = problems(DISPLAY, service_reads)
    assert not found, f"read services through directory.service_facts: {found}"


@pytest.mark.parametrize("line", [
    "session.scalars(select(Service).where(Service.public_id == x))",
    "conn.execute(sa.select(Service.id, Service.name))",
    "sa.select(Service.id, sa.type_coerce(Service.status, sa.String))",
    "session.get(Service, 7)",
    "db.query(Service).all()",
    "sa.select(m.Service.id, m.Service.description)",
    "session.scalars(sa.select(models.Service))",
])
def test_the_read_model_check_finds_a_service_read(line):
    assert service_reads(line)


@pytest.mark.parametrize("line", [
    "session.scalars(select(Service.public_id).where(Service.status == ACTIVE))",
    "sa.select(Service.id).where(Service.name.ilike(pattern))",
    "select(func.count()).select_from(Service)",
    "session.get(User, 3)",
    "select(Term, func.count(Service.id))",
    "sa.select(m.Service.id).where(m.Service.status.in_(statuses))",
])
def test_the_read_model_check_lets_choosing_by_key_through(line):
    assert not service_reads(line)
