"""The Báo cáo as a Word document: the province's figures poured into a docxtpl template.

The wording, the layout (Nghị định 30/2020/NĐ-CP) and the parts left to staff live in the
template (``workbooks/bao-cao.docx``, rebuilt by ``tools/build_report_template.py``, or the
province's own copy); this module only supplies the names the template uses: the generated
statements of ``narrative`` and the rows of the two appendices, every number in Vietnamese style.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..common.numbers import normalize_text
from ..common.saving import atomic_save, output_path, xml_safe
from ..errors import UnreadableError
from ..forms.spec import FormSpec, resource_folder
from .narrative import (
    BENEFITS,
    CAPITAL,
    PROJECTS,
    SHORTCOMINGS,
    TARGETS,
    Statement,
    figure,
    indicator_form,
    number,
    project_form,
    statements,
)

if TYPE_CHECKING:
    from ..result import ConsolidationResult

TEMPLATE_NAME = "bao-cao.docx"
UNKNOWN_PROVINCE = (
    "[Tên tỉnh và địa danh (UBND TỈNH …, «…, ngày»): chưa biết tên tỉnh; soạn lại với"
    ' --name "UBND tỉnh …" hoặc ghi tay]'
)


def default_template() -> Path:
    """The template shipped in ``workbooks/``."""
    return resource_folder("workbooks") / TEMPLATE_NAME


@dataclass(frozen=True, kw_only=True)
class Draft:
    """A report written: where, from which template, what was generated, what staff must write."""

    output: Path
    template: Path
    statements: tuple[Statement, ...]
    for_staff: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """``{"output", "template", "statements": [{"section", "row", "text", "generated"}],
        "for_staff": [...]}``."""
        return {
            "output": str(self.output),
            "template": str(self.template),
            "statements": [s.to_dict() for s in self.statements],
            "for_staff": list(self.for_staff),
        }


_PROVINCE = re.compile(
    r"^(?:(?:ubnd|ủy ban nhân dân)\s+)?(tỉnh|thành phố|tp\.?)\s*(?=\S)", re.IGNORECASE
)


def province_of(name: str) -> tuple[str, str] | None:
    """(level, place) of a province-level name: ("tỉnh", "Bình Định") from "UBND tỉnh Bình
    Định", ("thành phố", "Đà Nẵng") from "UBND TP. Đà Nẵng"; None for any other name."""
    text = normalize_text(name).replace("Uỷ", "Ủy").replace("uỷ", "ủy").strip()
    match = _PROVINCE.match(text)
    if not match:
        return None
    level = "tỉnh" if match.group(1).lower() == "tỉnh" else "thành phố"
    return level, text[match.end() :].strip()


def place(name: str) -> str | None:
    """ "Bình Định" from "UBND tỉnh Bình Định"; None when the name is not a province's."""
    found = province_of(name)
    return found[1] if found else None


def _cells(value: Any, places: int = 6) -> str:
    value = figure(value)
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return number(value, places)
    return xml_safe(str(value))


def _pl01_rows(result: ConsolidationResult) -> list[dict[str, Any]]:
    from docxtpl import RichText

    spec = indicator_form(result.forms)
    rows = []
    for row in spec.rows:
        section = row.kind == "section"
        top = section or "." not in row.key
        # Column (4) as the workbook shows it: the printed target ("> 80", "Có") or the plan.
        if section:
            plan: Any = None
        elif row.target is not None and row.target.op != "plan":
            plan = row.target.text
        else:
            plan = result.plan(row.key)
        rows.append(
            {
                "stt": RichText(row.label, bold=top),
                "ten": RichText(xml_safe(row.name), bold=section),
                "dvt": "" if section else row.unit,
                "ke_hoach": _cells(plan),
                # One level up, a yes/no row counted: "Có: 2/2 tỉnh", as the workbook shows it.
                "thuc_hien": _cells(
                    result.data.counted.get(row.key) or result.data.pl01.get((row.key, "actual"))
                ),
                "ty_le": _cells(result.data.pl01.get((row.key, "ratio")), 2),
                "danh_gia": _cells(result.data.pl01.get((row.key, "assessment"))),
                "ghi_chu": _cells(result.data.pl01.get((row.key, "note"))),
            }
        )
    return rows


def _pl02_rows(result: ConsolidationResult) -> list[dict[str, Any]]:
    from docxtpl import RichText

    spec = project_form(result.forms)
    money = [c for c in spec.columns if c.type in ("money", "percent")]

    def line(
        label: str, name: str, bold: bool, texts: dict[str, Any], values: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "stt": RichText(label, bold=bold),
            "ten": RichText(xml_safe(name), bold=bold),
            "chu_dau_tu": _cells(texts.get("investor")),
            "thoi_gian": _cells(texts.get("period")),
            "quyet_dinh": _cells(texts.get("decision")),
            "ghi_chu": _cells(texts.get("note")),
            **{
                f"c{c.key}": _cells(values.get(c.key), 2 if c.type == "percent" else 6)
                for c in money
            },
        }

    rows = []
    for row in spec.rows:
        rows.append(line(row.label, row.name, True, {}, result.data.pl02_fixed[row.key]))
        number_in_group = 0
        for project in result.data.pl02_projects:
            if project.group != row.key:
                continue
            number_in_group += 1
            texts = {"investor": project.unit, **project.texts}
            rows.append(
                line(str(number_in_group), texts.get("name") or "", False, texts, project.values)
            )
    return rows


def _month(today: dt.date) -> str:
    # Nghị định 30/2020: months 1 and 2 take a leading zero ("tháng 01"), the others do not.
    return f"{today.month:02d}" if today.month < 3 else str(today.month)


def context(result: ConsolidationResult, today: dt.date | None = None) -> dict[str, Any]:
    """Every name the template may use (see docs/huong-dan-su-dung.md, "Soạn báo cáo")."""
    today = today or dt.date.today()
    found = statements(result)
    issuer = province_of(result.province)
    province = issuer[1] if issuer else None
    pl01, pl02 = indicator_form(result.forms), project_form(result.forms)

    def texts(section: str) -> list[str]:
        return [xml_safe(s.text) for s in found if s.section == section]

    def title(spec: FormSpec) -> str:
        lines = [cell.text for line in spec.layout.title for cell in line if cell.bold]
        return lines[1] if len(lines) > 1 else spec.sheet

    return {
        "co_quan_cap_tren": f"UBND {issuer[0]} {issuer[1]}".upper() if issuer else "UBND TỈNH …",
        "tinh": province or "…",
        "dia_danh": province or "…",
        "don_vi": xml_safe(result.province),
        "thang": _month(today),
        "nam": str(today.year),
        "giai_doan": pl01.period.replace("-", " – "),
        "chi_tieu": texts(TARGETS),
        "du_an": texts(PROJECTS),
        "nguon_von": texts(CAPITAL),
        "loi_ich": texts(BENEFITS),
        "chua_dat": texts(SHORTCOMINGS),
        "tieu_de_pl01": title(pl01),
        "tieu_de_pl02": title(pl02),
        "phu_luc_01": _pl01_rows(result),
        "phu_luc_02": _pl02_rows(result),
        "statements": found,
    }


class _Rendered:
    """The template filled, saved when ``atomic_save`` asks."""

    def __init__(self, template: Path, values: dict[str, Any]) -> None:
        from docxtpl import DocxTemplate

        self.document = DocxTemplate(str(template))
        self.document.render(values, autoescape=True)

    def save(self, stream: IO[bytes]) -> None:
        self.document.save(stream)


def for_staff(path: Path) -> tuple[str, ...]:
    """The highlighted texts left in a written report: what staff still have to write (runs
    highlighted one after the other make one text)."""
    from docx import Document

    document = Document(str(path))
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    found: list[str] = []
    for paragraph in paragraphs:
        current = ""
        for run in paragraph.runs:
            if run.font.highlight_color is not None:
                current += run.text
            elif current.strip():
                found.append(current.strip())
                current = ""
        if current.strip():
            found.append(current.strip())
    return tuple(dict.fromkeys(found))


def write_draft(
    result: ConsolidationResult, path: str | Path, template: str | Path | None = None
) -> Draft:
    """Write the report drafted from ``result`` (atomically) from ``template`` or the one
    shipped; returns what was generated and what is left for staff."""
    from docx.opc.exceptions import PackageNotFoundError

    chosen = Path(template) if template is not None else default_template()
    output = output_path(path, ".docx")
    values = context(result)
    try:
        rendered = _Rendered(chosen, values)
    except FileNotFoundError as exc:
        raise UnreadableError(f"Không tìm thấy mẫu báo cáo {chosen}.") from exc
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise UnreadableError(
            f"Mẫu báo cáo {chosen} không phải tệp Word (.docx) đọc được: hãy mở bằng Word và "
            "lưu lại dạng Tài liệu Word (.docx)."
        ) from exc
    except Exception as exc:  # jinja2's errors: a tag the province edited wrongly
        if type(exc).__module__.startswith("jinja2"):
            line = getattr(exc, "lineno", None)
            raise UnreadableError(
                f"Mẫu báo cáo {chosen} có thẻ {{{{ }}}} hoặc {{% %}} viết sai"
                + (f" (dòng {line} của nội dung)" if line else "")
                + f": {exc}. Hãy sửa lại thẻ đó trong Word, hoặc dùng mẫu gốc."
            ) from exc
        raise
    atomic_save(rendered, output)
    left = for_staff(output)
    if place(result.province) is None:
        # No "UBND tỉnh …" to take the place and the issuing body from: they read "…".
        left = (UNKNOWN_PROVINCE, *left)
    return Draft(
        output=output, template=chosen, statements=tuple(values["statements"]), for_staff=left
    )


__all__ = ["Draft", "context", "default_template", "place", "province_of", "write_draft"]
