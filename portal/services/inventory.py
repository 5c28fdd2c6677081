"""An integration inventory imported into a project (issue 26): a CSV or XLSX file, one integration a row.

Columns: ``name`` (required), ``source_system``, ``target_system``, ``environment`` (one the project has, by name),
``identity`` (the account it runs as), every question of the vocabulary by its API name
(its values as the API writes them, or the labels people read, in any case), and every capacity number. Anything
else is refused. All or nothing: one bad cell refuses the whole file, with every problem listed by line (the header
is line 1) and column. A dry run checks and ranks without writing. A name already in the project updates that
integration (its answers and a fresh ranking, and the systems, environment and account the file has columns for,
recorded in its history) instead of adding a second one.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models.functions import Now

from patterns.catalog import rank
from patterns.requirements import CAPACITY_BY_NAME, QUESTIONS_BY_NAME, Requirements, RequirementsError
from portal.models import Environment, Integration, Project
from portal.services.checklist import project_checklist_sync
from portal.services.history import history_records
from portal.services.integrations import RANKING_FIELDS, apply_ranking
from portal.services.locks import hold_placements

SYSTEM_COLUMNS = ("name", "source_system", "target_system", "environment", "identity")
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
TRUE, FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}


SHOWN_PROBLEMS = 100  # a file of thousands of bad cells lists the first ones, and how many more
QUOTED = 50  # characters of a bad cell quoted back


class InventoryError(Exception):
    """The file is refused; ``problems`` lists each as "line N, column: what is wrong" (the first SHOWN_PROBLEMS,
    then how many more)."""

    def __init__(self, problems: list[str]) -> None:
        self.count = len(problems)
        if len(problems) > SHOWN_PROBLEMS:
            problems = [*problems[:SHOWN_PROBLEMS], f"… and {len(problems) - SHOWN_PROBLEMS:,} more problems."]
        super().__init__(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}: " + "; ".join(problems[:5]))
        self.problems = problems


def _clipped(text: str) -> str:
    return text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"


def _quoted(text: str) -> str:
    return repr(_clipped(text))


@dataclass(frozen=True)
class InventoryRow:
    line: int
    name: str
    source_system: str
    target_system: str
    requirements: Requirements
    environment: Environment | None = None
    identity: str = ""
    columns: frozenset[str] = frozenset(SYSTEM_COLUMNS)  # the file's: an update leaves the systems it lacks alone


@dataclass
class InventoryReport:
    rows: list[dict[str, Any]] = field(default_factory=list)  # per row: line, name, action, top pick, fit, capacity
    created: int = 0
    updated: int = 0
    dry_run: bool = True


Table = list[tuple[int, list[str]]]  # (the line a row starts on, its cells), the header first
MAX_UNPACKED = 50 * 1024 * 1024  # what a workbook may unpack to (its 5 MB are compressed)


def read_table(name: str, data: bytes) -> Table:
    """The rows of an uploaded .csv (UTF-8, with or without a byte-order mark, any line endings) or .xlsx (its first
    sheet), each with the line it starts on; InventoryError with a sentence when the file can't be read. Past the
    header and MAX_ROWS rows with anything in them, one more is read, to say there are too many."""
    if len(data) > MAX_BYTES:
        raise InventoryError([f"The file is over {MAX_BYTES // (1024 * 1024)} MB."])
    if name.lower().endswith(".xlsx"):
        return _workbook_rows(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InventoryError(["The file isn't UTF-8 text: save it as CSV UTF-8, or as .xlsx."]) from None
    reader = csv.reader(io.StringIO(text, newline=""))  # "\r", "\n" or both end a line; quoted ones stay in cells
    table = Collected()
    start = 1
    try:
        for cells in reader:
            if table.add(start, cells):
                break
            start = reader.line_num + 1
    except csv.Error as error:
        raise InventoryError([f"line {start}: the CSV can't be read ({error})."]) from None
    return table.rows


class Collected:
    """The rows worth keeping as a file is read: the first (the header), then those with anything in them, up to
    MAX_ROWS and one more (to say there are too many). Blank rows are passed over as they come, so a file of
    millions of them costs neither memory nor time."""

    def __init__(self) -> None:
        self.rows: Table = []

    def add(self, line: int, cells: list[str]) -> bool:
        """Keep the row if it counts; True once there are enough."""
        if not self.rows or any(cell.strip() for cell in cells):
            self.rows.append((line, cells))
        return len(self.rows) > MAX_ROWS + 1


def _workbook_rows(data: bytes) -> Table:
    from openpyxl import load_workbook

    unreadable = InventoryError(["The file isn't an Excel workbook (.xlsx) that can be read."])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise unreadable from None
    if unpacked > MAX_UNPACKED:
        raise InventoryError([f"The workbook unpacks to over {MAX_UNPACKED // (1024 * 1024)} MB: save it as CSV, "
                              "or split it."])  # fmt: skip
    table = Collected()
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        sheet.reset_dimensions()  # the size a workbook states may be wrong: read every row it has
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if table.add(line, ["" if cell is None else str(cell) for cell in row]):
                break
    except Exception:  # openpyxl raises what its XML parser and zip reader raise on a damaged file
        raise unreadable from None
    return table.rows


def _value(name: str, cell: str) -> str | bool | None:
    """A cell as the vocabulary's value (None when empty); ValueError naming the allowed values otherwise."""
    question = QUESTIONS_BY_NAME[name]
    text = cell.strip()
    if not text:
        return None
    lowered = text.lower()
    if question.is_boolean:
        if lowered in TRUE or lowered == question.choice("true").label.lower():
            return True
        if lowered in FALSE or lowered == question.choice("false").label.lower():
            return False
        raise ValueError("expected yes or no")
    for choice in question.choices:
        if lowered in {choice.value.lower(), choice.label.lower()}:
            return choice.value
    raise ValueError(f"unknown value {_quoted(text)}; allowed: {', '.join(question.values)}")


def _number(name: str, cell: str) -> float | None:
    text = cell.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"expected a number, not {_quoted(cell.strip())}") from None
    return int(number) if CAPACITY_BY_NAME[name].whole and number.is_integer() else number


def parse_inventory(table: Table, environments: Iterable[Environment] = ()) -> list[InventoryRow]:
    """Every row checked (``environments``: the project's, which the environment column may name); InventoryError
    with every problem when any is wrong."""
    by_name = {environment.name.casefold(): environment for environment in environments}
    if not table or not any(cell.strip() for cell in table[0][1]):
        raise InventoryError(["line 1: the header row is missing."])
    header = [cell.strip().lower() for cell in table[0][1]]
    known = {*SYSTEM_COLUMNS, *QUESTIONS_BY_NAME, *CAPACITY_BY_NAME}
    problems = [f"line 1, {_clipped(name) or '(empty)'}: unknown column" for name in header if name not in known]
    problems += [f"line 1, {name}: the column appears twice" for name in sorted(set(header)) if header.count(name) > 1]
    if "name" not in header:
        problems.append("line 1: a name column is required")
    if problems:
        raise InventoryError(problems)
    body = [(line, row) for line, row in table[1:] if any(cell.strip() for cell in row)]
    if len(body) > MAX_ROWS:
        raise InventoryError([f"The file has {len(body):,} rows; import at most {MAX_ROWS:,} at a time."])
    rows: list[InventoryRow] = []
    seen: dict[str, int] = {}
    columns = frozenset(header)
    for line, cells in body:
        cells = [*cells, *([""] * (len(header) - len(cells)))]
        answers: dict[str, Any] = {}
        capacity: dict[str, Any] = {}
        texts = {name: "" for name in SYSTEM_COLUMNS}
        failed: set[str] = set()  # columns already reported: their answers are missing for that reason
        for column, cell in zip(header, cells, strict=False):
            try:
                if column in SYSTEM_COLUMNS:
                    texts[column] = " ".join(cell.split())
                elif column in QUESTIONS_BY_NAME:
                    answers[column] = _value(column, cell)
                elif (number := _number(column, cell)) is not None:
                    capacity[column] = number
            except ValueError as error:
                problems.append(f"line {line}, {column}: {error}")
                failed.add(column)
        name = texts["name"]
        environment = by_name.get(texts["environment"].casefold()) if texts["environment"] else None
        if texts["environment"] and environment is None:
            known_names = ", ".join(sorted(e.name for e in by_name.values())) or "none yet"
            problems.append(f"line {line}, environment: the project has no environment {_quoted(texts['environment'])} "
                            f"(it has: {known_names})")  # fmt: skip
        if len(texts["identity"]) > 100:
            problems.append(f"line {line}, identity: at most 100 characters")
        if not name:
            problems.append(f"line {line}, name: required")
        elif len(name) > 200:
            problems.append(f"line {line}, name: at most 200 characters")
        elif name in seen:
            problems.append(f"line {line}, name: {_quoted(name)} is also on line {seen[name]}")
        seen.setdefault(name, line)
        if capacity:
            answers["capacity"] = capacity
        try:
            requirements = Requirements.from_mapping({k: v for k, v in answers.items() if v is not None})
        except RequirementsError as error:
            problems += [f"line {line}, {column}: {' '.join(messages)}" for column, messages in error.errors.items()
                         if column not in failed]  # fmt: skip
            continue
        rows.append(InventoryRow(line, name, texts["source_system"][:100], texts["target_system"][:100], requirements,
                                 environment, texts["identity"], columns))  # fmt: skip
    if problems:
        raise InventoryError(problems)
    return rows


def _name(environment: Environment | None) -> str | None:
    return environment.name if environment else None


def inventory_import(*, project: Project, actor: User, rows: list[InventoryRow], dry_run: bool) -> InventoryReport:
    """Rank every row with the published catalog; unless ``dry_run``, save them all in one transaction (a name the
    project has updates that integration: its answers and ranking, and the systems, environment and account the
    file has columns for), each with its history entry, and sync the checklist once. The rows are written in
    batches, so 1,000 rows cost a handful of round trips to the database rather than three each."""
    try:
        with transaction.atomic():
            return _import(project, actor, rows, dry_run)
    except IntegrityError:  # an environment the file names was removed since the file was checked
        raise InventoryError(["An environment the file names was removed while it was imported: check the file "
                              "again."]) from None  # fmt: skip


def _import(project: Project, actor: User, rows: list[InventoryRow], dry_run: bool) -> InventoryReport:
    report = InventoryReport(dry_run=dry_run)
    if not dry_run:
        hold_placements(project)
    existing = {
        i.name: i
        for i in Integration.objects.filter(project=project, name__in=[r.name for r in rows]).select_related(
            "environment"
        )
    }
    added: list[Integration] = []
    updated: list[tuple[Integration, dict[str, Any]]] = []
    for row in rows:
        ranking = rank(row.requirements)
        top = ranking.top
        relied = top.capacity.label if top and top.capacity else ""
        report.rows.append({"line": row.line, "name": row.name, "action": "update" if row.name in existing else
                            "add", "top": top.name if top else "No option fits", "fit": ranking.verdict.level,
                            "capacity": relied})  # fmt: skip
        if dry_run:
            continue
        integration = existing.get(row.name) or Integration(project=project, name=row.name, created_by=actor)
        if integration.pk is not None:
            updated.append((integration, _state(integration)))
        else:
            added.append(integration)
        integration.requirements = row.requirements.as_dict()
        given = row.columns if integration.pk is not None else SYSTEM_COLUMNS
        for column, value in (("source_system", row.source_system), ("target_system", row.target_system),
                              ("environment", row.environment), ("identity", row.identity)):  # fmt: skip
            if column in given:
                setattr(integration, column, value)
        apply_ranking(integration, ranking, actor)
    if dry_run or not rows:
        return report
    for integration in added:
        # A value Django must compile makes it write plain VALUES rows rather than PostgreSQL's UNNEST arrays,
        # whose text escaping of each large ranking costs more than the rows themselves (3 s at 1,000 rows).
        integration.ranked_at = Now()
    Integration.objects.bulk_create(added, batch_size=BATCH)
    Integration.objects.bulk_update([i for i, _ in updated], UPDATED_FIELDS, batch_size=BATCH)
    entries: list[tuple[Integration, str, dict[str, Any] | None]] = [(i, "integration imported", None) for i in added]
    entries += [(i, "integration updated by import", before) for i, before in updated]
    history_records(project=project, actor=actor, entries=[
        (integration, action, integration.name, before, _state(integration))
        for integration, action, before in entries
    ])  # fmt: skip
    report.created, report.updated = len(added), len(updated)
    project_checklist_sync(project=project, actor=actor)
    return report


BATCH = 200  # rows per INSERT or UPDATE
UPDATED_FIELDS = ["requirements", "source_system", "target_system", "environment", "identity", *RANKING_FIELDS]


def _state(integration: Integration) -> dict[str, Any]:
    """What the history keeps of an imported integration, before and after."""
    return {"top_pattern": integration.top_pattern_slug, "requirements": integration.requirements,
            "environment": _name(integration.environment), "identity": integration.identity}  # fmt: skip
