"""Rendering results for people: the terminal table of findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .intake import FileResult
from .outcome import ConsolidationResult
from .report import Finding, count
from .workflows import ValidationResult

if TYPE_CHECKING:
    from .drafting import Draft

_LABEL = {"error": "LỖI", "warning": "CẢNH BÁO"}


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
    """The province's Phụ lục 01 in a few lines: each numbered row's result and assessment."""
    from .report import shown

    lines = ["Phụ lục 01 của tỉnh (STT: thực hiện | tỷ lệ hoàn thành % | đánh giá):"]
    for stt, row in result.pl01.iterrows():
        if "." in str(stt):
            continue
        actual, ratio, assessment = row["actual"], row["ratio"], row["assessment"]
        parts = [shown(actual) if actual is not None and actual == actual else "–"]
        if stt in result.data.counted:
            parts = [result.data.counted[str(stt)]]  # one level up: "Có: 2/2 tỉnh"
        if ratio is not None and ratio == ratio:
            parts.append(shown(ratio))
        if isinstance(assessment, str):
            parts.append(assessment)
        name = str(row["name"])
        name = name if len(name) <= 48 else name[:47].rstrip() + "…"
        lines.append(f"  {stt:>3}. {name:<48} {' | '.join(parts)}")
    total = result.data.pl02_fixed.get("TOTAL", {})
    lines.append(
        "Phụ lục 02 (triệu đồng): tổng mức đầu tư "
        f"{shown(total.get('6'))}, đã bố trí {shown(total.get('10'))}, "
        f"đã giải ngân {shown(total.get('14'))}."
    )
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
