"""Rendering results for people: the terminal table of findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .check.batch import FileResult
from .findings import SEVERITY_LABEL, Finding, count
from .forms.spec import FormSpec
from .result import ConsolidationResult
from .workflows import ValidationResult

if TYPE_CHECKING:
    from .write.drafting import Draft

_LABEL = {severity: label.upper() for severity, label in SEVERITY_LABEL.items()}


def _where(finding: Finding) -> str:
    if finding.sheet and finding.cell:
        return f"{finding.sheet}!{finding.cell}"
    return finding.sheet or "-"


def file_text(result: FileResult) -> list[str]:
    """One file's block: a heading line, then one line per finding."""
    totals = count(result.findings)
    unit = result.unit or "(chưa rõ đơn vị)"
    forms = ", ".join(result.forms) or "không có biểu"
    if not result.readable:
        state = "KHÔNG ĐỌC ĐƯỢC"
    elif totals["error"] or totals["warning"]:
        state = f"{totals['error']} lỗi, {totals['warning']} cảnh báo"
    else:
        state = "hợp lệ"
    lines = [f"{result.path}", f"  Đơn vị: {unit} | Biểu: {forms} | {state}"]
    if result.findings:
        width = max(len(_where(f)) for f in result.findings)
        for finding in result.findings:
            label = _LABEL[finding.severity]
            lines.append(
                f"  {label:<8} {_where(finding):<{width}}  [{finding.code}] {finding.message}"
            )
    return lines


def validation_text(result: ValidationResult) -> str:
    """The readable table, grouped by file, with a closing summary line."""
    lines: list[str] = []
    for item in result.files:
        lines.extend(file_text(item))
        lines.append("")
    totals = count(f for item in result.files for f in item.findings)
    bad = sum(1 for item in result.files if not item.valid)
    lines.append(
        f"Tổng cộng: {len(result.files)} tệp, {bad} tệp có lỗi; "
        f"{totals['error']} lỗi, {totals['warning']} cảnh báo."
    )
    return "\n".join(lines)


def _figures(result: ConsolidationResult) -> list[str]:
    """The province's forms in a few lines: each numbered row of an indicator form with its
    result and assessment; the total row of a project list."""
    lines: list[str] = []
    for spec in result.forms.forms.values():
        if spec.has_projects:
            lines.append(_list_total(result, spec))
        else:
            lines.extend(_indicator_lines(result, spec))
    return lines


def _list_total(result: ConsolidationResult, spec: FormSpec) -> str:
    from .findings import shown

    total_row = next(r for r in spec.rows if r.kind == "total")
    total = result.data.lists[spec.code].fixed.get(total_row.key, {})
    shown_columns = [c for c in spec.columns if c.sum_of or c.ratio_of]
    figures = ", ".join(f"cột {c.numbering} {shown(total.get(c.key))}" for c in shown_columns)
    return f"{spec.sheet}, dòng {total_row.name}: {figures}."


def _indicator_lines(result: ConsolidationResult, spec: FormSpec) -> list[str]:
    from .findings import shown

    counted = result.data.indicators[spec.code].counted
    lines = [f"{spec.sheet} của tỉnh (STT: thực hiện | tỷ lệ so với chỉ tiêu % | đánh giá):"]
    for stt, row in result.indicators(spec.code).iterrows():
        if spec.by_key[str(stt)].label.isalpha() and "." in str(stt):
            continue  # parts a, b
        actual, ratio, assessment = row["actual"], row["ratio"], row["assessment"]
        parts = [shown(actual) if actual is not None and actual == actual else "–"]
        if stt in counted:
            parts = [counted[str(stt)]]  # one level up: "Có: 2/2 tỉnh"
        if ratio is not None and ratio == ratio:
            parts.append(shown(ratio))
        if isinstance(assessment, str):
            parts.append(assessment)
        name = str(row["name"])
        name = name if len(name) <= 48 else name[:47].rstrip() + "…"
        lines.append(f"  {stt:>3}. {name:<48} {' | '.join(parts)}")
    return lines


def consolidation_text(result: ConsolidationResult, *, strict: bool = False) -> str:
    """A short account for staff: units, key figures, problems, and where the output is."""
    data = result.data
    units = data.units
    lines = [
        f"Đơn vị: {len(units['received'])} đã nhận"
        + (f"/{data.expected} theo danh sách" if data.expected else "")
        + f", {len(units['missing'])} chưa gửi, {len(units['unknown'])} không xác định, "
        f"{len(units['duplicate'])} gửi trùng, {len(units['rejected'])} tệp không đọc được.",
    ]
    for label, key in (
        ("Chưa gửi", "missing"),
        ("Không xác định", "unknown"),
        ("Gửi trùng", "duplicate"),
        ("Không đọc được", "rejected"),
    ):
        for account in units[key]:
            files = ", ".join(account.files)
            code = f"{account.code} – " if account.code else ""
            lines.append(f"  {label}: {code}{account.name}" + (f" ({files})" if files else ""))
    lines.extend(_figures(result))
    totals = count(data.findings)
    lines.append(f"Kiểm tra: {totals['error']} lỗi, {totals['warning']} cảnh báo.")
    for finding in data.findings:
        if finding.code != "missing-submission":
            where = f"{finding.file} {_where(finding)}"
            lines.append(
                f"  {_LABEL[finding.severity]:<8} {where}  [{finding.code}] {finding.message}"
            )
    if result.output:
        lines.append(f"Đã ghi báo cáo tổng hợp: {result.output}")
        if result.name is None:
            # Two provinces' outputs both titled after their Sở TTTT would look like one unit
            # when the Ministry adds them up.
            lines.append(
                f'Tên ghi ở "Đơn vị báo cáo": {result.province}. Nên ghi tên tỉnh bằng '
                '--name "UBND tỉnh …" để cấp trên tổng hợp tiếp.'
            )
    elif result.nothing_read:
        lines.append(result.nothing_read_message())
    elif strict and result.has_errors:
        lines.append("Chưa ghi báo cáo tổng hợp vì còn lỗi (--strict).")
    else:
        lines.append("Chưa ghi tệp tổng hợp: thêm -o TÊN_TỆP.xlsx để ghi báo cáo của tỉnh.")
    return "\n".join(lines)


def draft_text(result: ConsolidationResult, draft: Draft) -> str:
    """What was drafted, what staff still have to write, and whether the figures hold errors."""
    lines = [
        f"Đã soạn báo cáo: {draft.output} (mẫu: {draft.template}).",
        f"{len(draft.statements)} câu được viết tự động từ số liệu (mục II, III).",
    ]
    if draft.for_staff:
        lines.append(f"Cán bộ cần viết {len(draft.for_staff)} phần (các đoạn trong ngoặc vuông):")
        lines.extend(f"  - {text}" for text in draft.for_staff)
    totals = count(result.data.findings)
    if totals["error"] or result.data.units["rejected"]:
        lines.append(
            f"Lưu ý: số liệu còn {totals['error']} lỗi, {len(result.data.units['rejected'])} tệp"
            " không đọc được; các số có lỗi không được cộng. Xem chi tiết: ctmt consolidate."
        )
    return "\n".join(lines)
