"""Section 三 (收到和处理政府信息公开申请情况): the request matrix's lines under its header, each matched
to a row of every template (the group a row stands under counts), and read into the chosen one."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.numbers import parse_value
from core.template import (
    CellKind,
    RowCorrespondence,
    S3Row,
    Template,
    default_template,
    load_template,
    row_correspondences,
    templates,
)
from reading.labels import (
    GROUP_BONUS,
    SIGNAL_THRESHOLD,
    Entry,
    blank_text,
    group_path,
    is_number_or_blank,
    match,
    norm,
    s3_column_entries,
    s3_entries,
    s3_header_entries,
    shown,
    split_numbered,
    strong,
)
from reading.state import Cells, ReadState
from reading.tables import CLASSIFY_ROWS, GridCell, PlacedTable


@dataclass
class S3Line:
    """One row of the request matrix below its header: its label texts and the text under each
    column (a column is absent when the row has no cell there, None when one merged cell holds a
    number across several columns)."""

    where: str
    labels: list[str]
    values: dict[str, str | None]
    short: int | None = None  # without spans: a row with only this many value cells (which are which?)

    @property
    def filled(self) -> bool:
        return any(not blank_text(v) for v in self.values.values())


def _s3_value_columns(placed: PlacedTable) -> tuple[list[int], set[int]]:
    """The grid column of each matrix column (template order) and which rows are header rows. From
    the header's words when the grid is known and they name all seven columns; else the rightmost
    seven columns."""
    columns = [c.id for c in default_template().s3.columns]
    header_rows: set[int] = set()
    found: dict[str, int] = {}
    for row in placed.rows[:CLASSIFY_ROWS]:
        hits = [c for c in row if c.text.strip() and strong(c.text, s3_header_entries())]
        if row and (len(hits) >= 2 or any("勾稽" in c.text for c in row)):
            header_rows.add(row[0].row)
            for c in hits:
                m = strong(c.text, s3_column_entries())
                if m is not None:  # a header cell may be wider than one column in a hand-made grid
                    found.setdefault(m.entry.key, c.col)
    if placed.spans_known and len(found) == len(columns) and len(set(found.values())) == len(columns):
        return [found[c] for c in columns], header_rows
    start = placed.width - len(columns)
    return list(range(start, placed.width)), header_rows


def s3_lines(tables: list[PlacedTable]) -> list[S3Line]:
    columns = [c.id for c in default_template().s3.columns]
    lines: list[S3Line] = []
    for placed in tables:
        value_cols, header_rows = _s3_value_columns(placed)
        first_value = min(value_cols)
        for row in placed.rows:
            if not row or row[0].row in header_rows:
                continue
            where = f"{placed.name}第 {row[0].row + 1} 行"
            short = _short_row(row, len(columns)) if not placed.spans_known else None
            if short is not None:
                labels = [c.text for c in row[: len(row) - short] if c.text.strip()]
                lines.append(S3Line(where, labels, {}, short))
                continue
            labels = [c.text for c in row if c.end <= first_value and c.text.strip()]
            values: dict[str, str | None] = {}
            wide = [c for c in row if c.col < first_value < c.end]
            if wide:  # one cell across labels and numbers: a note or heading line
                labels.extend(c.text for c in wide if c.text.strip())
            else:
                for cid, col in zip(columns, value_cols, strict=True):
                    cell = next((c for c in row if c.covers(col)), None)
                    if cell is None:
                        continue
                    if sum(1 for v in value_cols if cell.covers(v)) > 1 and not blank_text(cell.text):
                        values[cid] = None
                    else:
                        values[cid] = cell.text
            if labels or any(not blank_text(v) for v in values.values()):
                lines.append(S3Line(where, labels, values))
    return lines


def _short_row(row: list[GridCell], columns: int) -> int | None:
    """Without spans a row is aligned on the right, which is sure only when it has all its value cells
    (a row of more cells has them, whatever they hold): for a row of fewer cells that starts with its
    labels, the number of value cells left, else None."""
    if len(row) > columns:
        return None
    labels = 0
    while labels < len(row) and row[labels].text.strip() and not is_number_or_blank(row[labels].text):
        labels += 1
    values = len(row) - labels
    if labels and values < columns and any(not blank_text(c.text) for c in row[labels:]):
        return values
    return None


@dataclass
class S3Walk:
    """Which line means which row when read against one template."""

    template_id: str
    rows: dict[str, tuple[int, float, bool, str]] = field(default_factory=dict)  # id → line, score, exact, text
    groups_with_values: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    unmatched: list[int] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)


def walk_s3(lines: list[S3Line], template: Template) -> S3Walk:
    """Match each line's labels, tracking the group (三、本年度办理结果, （三）不予公开 …) the rows stand
    under: a merged group label is there only on its group's first row, and 1. 2. 3. mean different
    things under （三）, （四） and （五）."""
    rows_by_id = {r.id: r for r in template.s3.rows}
    entries = s3_entries(template)
    walk = S3Walk(template.id)
    context: tuple[str, ...] = ()

    def path_of(key: str) -> tuple[str, ...]:
        return group_path(key) if key.startswith("group:") else rows_by_id[key.removeprefix("row:")].path

    for i, line in enumerate(lines):
        parts = [p for text in line.labels for p in split_numbered(text)]
        if not parts:
            if line.filled:
                walk.unmatched.append(i)
            continue
        for part in parts[:-1]:
            m = match(part, entries)
            if m is not None:
                context = path_of(m.entry.key)

        def in_group(entry: Entry, context: tuple[str, ...] = context) -> bool:
            return entry.key.startswith("row:") and rows_by_id[entry.key[4:]].path[:-1] == context

        def bonus(entry: Entry) -> float:
            return GROUP_BONUS if in_group(entry) else 0.0

        def numbered(entry: Entry) -> bool:
            # 1. 2. 3. are numbers within a group; 一、 and （三） are numbers of the whole table.
            numbering = norm(entry.label).numbering
            return numbering is None or numbering[0] != "arabic" or in_group(entry)

        m = match(parts[-1], entries, bonus, numbered)
        if m is None:
            walk.unmatched.append(i)
            continue
        if m.entry.key.startswith("group:"):
            context = group_path(m.entry.key)
            if line.values:
                walk.groups_with_values.append((i, context))
            continue
        row = rows_by_id[m.entry.key[4:]]
        context = row.path[:-1]
        previous = walk.rows.get(row.id)
        if previous is not None and previous[1] >= m.score:
            walk.conflicts.append((i, row.id))
            continue
        if previous is not None:
            walk.conflicts.append((previous[0], row.id))
        walk.rows[row.id] = (i, m.score, m.exact, parts[-1])
    return walk


def s3_signals(state: ReadState, walks: dict[str, S3Walk]) -> None:
    """Rows not every template has (2021: the three （六） rows; 2019: （六） as one row) vote for the
    templates that have them."""
    for tid, walk in walks.items():
        template = load_template(tid)
        for row_id, (_, score, _, _) in walk.rows.items():
            if score >= SIGNAL_THRESHOLD and not all(t.s3.has_row(row_id) for t in templates()):
                state.signals[tid].add(template.s3.row(row_id).label)


def _sum_texts(texts: list[str | None]) -> str | None:
    """Several printed counts as one: their sum; the first text that is not a number, when there is
    one (so that it is reported as printed); None when a part could not be read."""
    total = 0
    seen = False
    for text in texts:
        if text is None:
            return None
        parsed = parse_value(text, CellKind.COUNT)
        if parsed.error is not None:
            return text
        if parsed.number is not None:
            total += int(parsed.number)
            seen = True
    return str(total) if seen else ""


@dataclass
class _Assignment:
    """Reading 三's lines into the chosen template's cells: the walks against every template, and
    which lines the cases have used (a line no case used is reported as not read)."""

    state: ReadState
    template: Template
    lines: list[S3Line]
    walks: dict[str, S3Walk]
    cells: Cells
    used: set[int] = field(default_factory=set)

    @property
    def walk(self) -> S3Walk:
        return self.walks[self.template.id]

    @property
    def section(self) -> str:
        return self.template.section("s3").short


def assign_s3(
    state: ReadState, template: Template, lines: list[S3Line], walks: dict[str, S3Walk], cells: Cells
) -> None:
    """Every line of 三 into the template's cells, case by case: two lines meaning one row, a line
    matched to a row, a group's line (a subtotal, or another template's one row for a group this
    template splits), a row of this template printed as another template's rows, lines left over,
    and rows the table does not have."""
    job = _Assignment(state, template, lines, walks, cells)
    for i, row_id in job.walk.conflicts:
        _conflicting_line(job, job.lines[i], row_id)
    for row_id, (i, _score, exact, text) in job.walk.rows.items():
        _row_line(job, i, row_id, exact, text)
    for i, group in job.walk.groups_with_values:
        _group_line(job, i, group)
    for row in template.s3.rows:
        if row.id not in job.walk.rows:
            _row_printed_split(job, row)
    for i in job.walk.unmatched:
        if i not in job.used:
            _unmatched_line(job, job.lines[i])
    _missing_rows(job)


def _conflicting_line(job: _Assignment, line: S3Line, row_id: str) -> None:
    """A line the walk dropped because another line means the same row better."""
    job.state.note(
        f"{job.section}：{line.where}「{shown(' '.join(line.labels))}」与另一行都是"
        f"「{job.template.s3.row(row_id).label}」，只读入更相符的一行"
    )


def _row_line(job: _Assignment, i: int, row_id: str, exact: bool, text: str) -> None:
    """A line matched to one of the template's rows: its numbers go to that row."""
    job.used.add(i)
    if not exact:
        path = " · ".join(job.template.s3.row(row_id).path)
        job.state.note(f"{job.section}：{job.lines[i].where}「{shown(text)}」按「{path}」读入")
    _put_s3_line(job.state, job.template, row_id, job.lines[i], job.cells)


def _group_line(job: _Assignment, i: int, group: tuple[str, ...]) -> None:
    """A line whose label is a group's (（三）不予公开 …) and that holds numbers: a subtotal when rows
    of the group were read, else another template's one row for a group this template splits, else
    a row this template does not have."""
    template, line = job.template, job.lines[i]
    job.used.add(i)
    matched_groups = {template.s3.row(r).path[:-1] for r in job.walk.rows}
    if any(p[: len(group)] == group for p in matched_groups):
        if line.filled:
            job.state.note(f"{job.section}：{line.where}「{group[-1]}」是小计，未读入（按其下各行读入）")
        return
    split = _split_of(template, group)
    if split is None:
        if line.filled:
            job.state.note(f"{job.section}：{line.where}「{group[-1]}」一行在{template.name}格式中没有对应的行，未读入")
        return
    _one_row_for_group(job, line, group, split)


def _split_of(template: Template, group: tuple[str, ...]) -> RowCorrespondence | None:
    """The row map saying that another template's one row is this group of `template`."""
    return next(
        (
            c
            for other in templates()
            if other is not template
            for c in row_correspondences(template, other)
            if c.split is template
            and c.single.s3.row(c.row).path == group
            and all(template.s3.row(r).path[:-1] == group for r in c.rows)
        ),
        None,
    )


def _one_row_for_group(job: _Assignment, line: S3Line, group: tuple[str, ...], split: RowCorrespondence) -> None:
    """Another template's one row for this group, which this template splits into several (declared
    in the templates' row maps): a 2021 report printing （六）其他处理 as the 2019 template does.
    Its numbers go to the row the map names (3.其他, the catch-all), so the file's （七）总计 still
    checks against its rows; they are also kept under the other template's ids so that
    TEMPLATE-YEAR reports the mix."""
    template = job.template
    target = template.s3.row(split.into)
    _put_s3_line(job.state, template, target.id, line, job.cells)
    for col in template.s3.columns:
        printed = line.values.get(col.id)
        if printed is not None:
            job.cells.foreign[f"s3.{split.row}.{col.id}"] = printed
    blank_rows = "、".join(f"「{template.s3.row(r).label}」" for r in split.rows if r != split.into)
    job.state.note(
        f"{job.section}：「{group[-1]}」按{split.single.name}格式只印了一行（{template.name}格式分为 "
        f"{len(split.rows)} 行），其数字按「{target.label}」读入，{blank_rows}按空白读入，请核对"
    )


def _row_printed_split(job: _Assignment, row: S3Row) -> None:
    """A row no line matched, which another template splits and the file printed as that template's
    rows (a 2019 report printing the three （六） rows of 2021): read as their sum, which is exactly
    what the row counts. The first other template whose rows were found is taken."""
    for other in templates():
        if other is job.template:
            continue
        parts = _printed_parts(job, row, other)
        if parts:
            _sum_of_parts(job, row, other, parts)
            return


def _printed_parts(job: _Assignment, row: S3Row, other: Template) -> list[S3Row]:
    """The rows of `other` that split `row` and that lines of the file matched."""
    maps = row_correspondences(job.template, other)
    mapping = next((c for c in maps if c.single is job.template and c.row == row.id), None)
    if mapping is None:
        return []
    other_walk = job.walks[other.id]
    return [other.s3.row(r) for r in mapping.rows if r in other_walk.rows]


def _sum_of_parts(job: _Assignment, row: S3Row, other: Template, parts: list[S3Row]) -> None:
    """The lines of `parts` summed, column by column, into `row`; each also kept under the other
    template's ids so that TEMPLATE-YEAR reports the mix."""
    template = job.template
    other_walk = job.walks[other.id]
    part_lines = [job.lines[other_walk.rows[r.id][0]] for r in parts]
    job.used.update(other_walk.rows[r.id][0] for r in parts)
    for col in template.s3.columns:
        if not any(col.id in ln.values for ln in part_lines):
            continue
        summed = _sum_texts([ln.values.get(col.id, "") for ln in part_lines])
        if summed is not None:
            job.cells.put(template, f"s3.{row.id}.{col.id}", summed)
    for r, ln in zip(parts, part_lines, strict=True):
        for col in template.s3.columns:
            printed = ln.values.get(col.id)
            if printed is not None:
                job.cells.foreign[f"s3.{r.id}.{col.id}"] = printed
    job.state.note(
        f"{job.section}：「{row.label}」按{other.name}格式分 {len(parts)} 行印出，按各行之和读入"
        f"{template.name}格式的「{row.label}」一行，请核对"
    )


def _unmatched_line(job: _Assignment, line: S3Line) -> None:
    """A line no case used: a text that is neither a row nor the header, or numbers under no row."""
    text = shown(" ".join(line.labels)) if line.labels else ""
    if not line.filled:
        if text and not any(strong(t, s3_header_entries()) for t in line.labels):
            job.state.note(f"{job.section}：{line.where}的文字「{text}」未读入")
    elif text:
        job.state.note(f"{job.section}：{line.where}「{text}」不是表中的项目，其数字未读入")
    else:
        job.state.note(f"{job.section}：{line.where}有数字但没有项目名称，未读入")


def _missing_rows(job: _Assignment) -> None:
    """The template's rows the table does not have (nor read from another template's rows): blank."""
    rows = job.template.s3.rows
    missing = [r for r in rows if r.id not in job.walk.rows and not job.cells.has_row(f"s3.{r.id}.")]
    if job.walk.rows and missing:
        names = "、".join(f"「{r.label}」" for r in missing[:3]) + (f"等 {len(missing)} 行" if len(missing) > 3 else "")
        job.state.note(f"{job.section}：表格中没有 {names}，按空白读入")


def _put_s3_line(state: ReadState, template: Template, row_id: str, line: S3Line, cells: Cells) -> None:
    section = template.section("s3").short
    row = template.s3.row(row_id)
    if line.short is not None:
        state.note(
            f"{section}：{line.where}「{row.label}」只有 {line.short} 个数字单元格"
            f"（应为 {len(template.s3.columns)} 个），无法确定各自属于哪一列，未读入"
        )
        return
    missing: list[str] = []
    merged: list[str] = []
    for col in template.s3.columns:
        if col.id not in line.values:
            missing.append(col.label)
            continue
        text = line.values[col.id]
        if text is None:
            merged.append(col.label)
            continue
        cells.put(template, f"s3.{row_id}.{col.id}", text)
    if len(missing) == len(template.s3.columns):
        state.note(f"{section}：{line.where}「{row.label}」没有数字单元格，按未印出读入")
    elif missing:
        columns = "、".join(f"「{c}」" for c in missing)
        state.note(f"{section}：{line.where}「{row.label}」没有{columns}列的单元格，按未印出读入")
    if merged:
        state.note(
            f"{section}：{line.where}「{row.label}」的" + "、".join(f"「{c}」" for c in merged)
            + "列是一个合并的单元格，无法确定数字属于哪一列，未读入"
        )

