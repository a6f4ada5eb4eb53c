"""Rebuild the macro workbook and the add-in in ``workbooks/`` from the VBA sources in the repo.

    python tools/build_macro_workbook.py            # writes workbooks/ctmtcntt.xlsm and .xlam
    python tools/build_macro_workbook.py --out DIR  # somewhere else (the tests do this)
    python tools/build_macro_workbook.py --out DIR --interpreter PATH
                        # the .xlsm's settings sheet "xlwings.conf" names the Python to run
                        # (the Windows bundle: the Python that cai-dat.bat installs)

What it does, and why this way (no Windows or Excel is needed):

1. ``xlwings quickstart NAME --standalone`` and ``xlwings quickstart NAME --addin --ribbon``
   (the installed xlwings, pinned to the version of pyproject.toml) give an ``.xlsm`` and an
   ``.xlam`` whose VBA project holds xlwings' own VBA module, with its ``RunPython``.
2. Their ``xl/vbaProject.bin`` is rewritten: the sample module (``Module1`` / ``RibbonMyAddin``)
   is replaced by ``workbooks/vba/CtmtNut.bas``; in the add-in, xlwings' ``PROJECT_NAME`` becomes
   ``ctmtcntt`` (its settings sheet ``ctmtcntt.conf``, file ``%USERPROFILE%\\.ctmtcntt\\``).
   The project is written as [MS-OVBA] asks of a writer and as xlwings ships its own module:
   the ``_VBA_PROJECT`` version is 0xFFFF and new modules carry source only (offset 0), no
   compiled p-code, so Excel compiles the source when it opens the file.
3. The ``.xlsm`` is assembled with XlsxWriter (``add_vba_project``, ``set_vba_name`` and four
   ``insert_button`` bound to the macros); the ``.xlam`` is xlwings' add-in package with the new
   VBA project and a ribbon tab (``customUI/customUI.xml``) whose four buttons call the macros.

Whether Excel accepts a VBA project whose module source was written off-Windows is checked by
hand on Windows (docs/huong-dan-su-dung.md, "Kiểm tra nghiệm thu"); the tests read the result
back with oletools and check every ``RunPython`` call, the xlwings version and the sources.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ROOT / "workbooks"
VBA_DIR = WORKBOOKS / "vba"
MODULE = "CtmtNut"
ADDIN_PROJECT = "ctmtcntt"
CONF_SHEET = "xlwings.conf"  # the standalone xlwings module's PROJECT_NAME, plus ".conf"
FIXED_TIME = dt.datetime(2021, 9, 16, 8, 0, 0)  # the Ministry's letter 3572/BTTTT-KHTC
RIBBON = """<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">
    <ribbon>
        <tabs>
            <tab id="ctmtcnttTab" label="CTMT CNTT">
                <group id="ctmtcnttGroup" label="Phụ lục 01, 02">
                    <button id="ctmtKiemTra" label="Kiểm tra" size="large"
                        screentip="Kiểm tra sổ đang mở: tô màu ô sai, liệt kê lỗi"
                        onAction="CtmtNut.CtmtKiemTraRibbon" imageMso="ReviewAcceptChange" />
                    <button id="ctmtTinhTong" label="Tính tổng, tỷ lệ" size="large"
                        screentip="Ghi các ô tổng, tỷ lệ và đánh giá vào sổ đang mở"
                        onAction="CtmtNut.CtmtTinhTongRibbon" imageMso="AutoSum" />
                    <button id="ctmtTongHop" label="Tổng hợp thư mục" size="large"
                        screentip="Tổng hợp các tệp báo cáo trong một thư mục"
                        onAction="CtmtNut.CtmtTongHopRibbon" imageMso="FileOpen" />
                    <button id="ctmtSoanBaoCao" label="Soạn báo cáo" size="large"
                        screentip="Soạn dự thảo Báo cáo (Word) từ một thư mục tệp báo cáo"
                        onAction="CtmtNut.CtmtSoanBaoCaoRibbon" imageMso="FileNew" />
                </group>
            </tab>
        </tabs>
    </ribbon>
</customUI>
"""


# -- MS-OVBA: compression ---------------------------------------------------------------------


def compress(data: bytes) -> bytes:
    """[MS-OVBA] 2.4.1 compression: a signature byte, then chunks of up to 4096 bytes."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        body = _compress_chunk(chunk)
        if len(body) < 4096:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
        elif len(chunk) == 4096:
            out += struct.pack("<H", 0x3FFF) + chunk  # stored raw
        else:
            raise ValueError("a short last chunk that does not compress cannot be stored")
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    seen: dict[bytes, list[int]] = {}
    pos = 0
    while pos < len(chunk):
        flags = 0
        tokens = bytearray()
        for bit in range(8):
            if pos >= len(chunk):
                break
            bit_count = max((pos - 1).bit_length(), 4) if pos else 4
            max_length = (0xFFFF >> bit_count) + 3
            best_length, best_offset = 0, 0
            for candidate in reversed(seen.get(chunk[pos : pos + 3], [])[-64:]):
                length = 0
                limit = min(max_length, len(chunk) - pos)
                while length < limit and chunk[candidate + length] == chunk[pos + length]:
                    length += 1
                if length > best_length:
                    best_length, best_offset = length, pos - candidate
                    if length == limit:
                        break
            step = best_length if best_length >= 3 else 1
            if best_length >= 3:
                flags |= 1 << bit
                token = ((best_offset - 1) << (16 - bit_count)) | (best_length - 3)
                tokens += struct.pack("<H", token)
            else:
                tokens.append(chunk[pos])
            for at in range(pos, pos + step):
                seen.setdefault(chunk[at : at + 3], []).append(at)
            pos += step
        out.append(flags)
        out += tokens
    return bytes(out)


# -- MS-OVBA: the project ---------------------------------------------------------------------


@dataclass
class Module:
    """One module of the project: its dir records, its stream, and whether we rewrote it."""

    name: str
    records: list[tuple[int, bytes]]
    stream: bytes


@dataclass
class VbaProject:
    """A vbaProject.bin read into the parts this tool changes; everything else is kept."""

    head: list[tuple[int, bytes]]
    cookie: bytes
    modules: list[Module]
    project: str
    codepage: str
    other_streams: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def read(cls, data: bytes) -> VbaProject:
        import olefile
        from oletools.olevba import decompress_stream

        ole = olefile.OleFileIO(io.BytesIO(data))
        streams = {"/".join(path): ole.openstream(path).read() for path in ole.listdir()}
        records = _records(bytes(decompress_stream(bytearray(streams["VBA/dir"]))))
        codepage = f"cp{struct.unpack('<H', dict(records)[0x0003])[0]}"
        split = next(i for i, (rid, _) in enumerate(records) if rid == 0x000F)
        head, cookie = records[:split], records[split + 1][1]
        modules: list[Module] = []
        current: list[tuple[int, bytes]] = []
        for rid, payload in records[split + 2 :]:
            if rid == 0x0010:
                break
            current.append((rid, payload))
            if rid == 0x002B:
                fields = dict(current)
                name = fields[0x0019].decode(codepage)
                stream = "VBA/" + fields[0x001A].decode(codepage)
                modules.append(Module(name=name, records=current, stream=streams.pop(stream)))
                current = []
        project = streams.pop("PROJECT").decode(codepage)
        for known in ("PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT"):
            streams.pop(known)
        return cls(head, cookie, modules, project, codepage, streams)

    def source(self, name: str) -> str:
        """The source text of a module, as the VBA editor shows it (with Attribute lines)."""
        from oletools.olevba import decompress_stream

        module = self._module(name)
        offset = struct.unpack("<I", dict(module.records)[0x0031])[0]
        return bytes(decompress_stream(bytearray(module.stream[offset:]))).decode(self.codepage)

    def set_source(self, name: str, text: str) -> None:
        """Replace a module's source as given; its compiled code is dropped (Excel recompiles)."""
        module = self._module(name)
        module.stream = compress(text.encode(self.codepage))
        module.records = [
            (rid, struct.pack("<I", 0) if rid == 0x0031 else payload)
            for rid, payload in module.records
        ]

    def add_module(self, name: str, text: str) -> None:
        """A new standard module holding ``text``."""
        mbcs, wide = name.encode(self.codepage), name.encode("utf-16-le")
        records = [
            (0x0019, mbcs),
            (0x0047, wide),
            (0x001A, mbcs),
            (0x0032, wide),
            (0x001C, b""),
            (0x0048, b""),
            (0x0031, struct.pack("<I", 0)),
            (0x001E, struct.pack("<I", 0)),
            (0x002C, struct.pack("<H", 0xFFFF)),
            (0x0021, b""),
            (0x002B, b""),
        ]
        self.modules.append(Module(name=name, records=records, stream=b""))
        self.set_source(name, _crlf(text))  # as the VBA editor stores it
        lines = self.project.split("\r\n")
        last = max(i for i, line in enumerate(lines) if re.match(r"(Module|Class|Document)=", line))
        lines.insert(last + 1, f"Module={name}")
        workspace = lines.index("[Workspace]")
        lines.insert(workspace + 1, f"{name}=0, 0, 0, 0, C")
        self.project = "\r\n".join(lines)

    def remove_module(self, name: str) -> None:
        self.modules.remove(self._module(name))
        self.project = "\r\n".join(
            line
            for line in self.project.split("\r\n")
            if line != f"Module={name}" and not line.startswith(f"{name}=")
        )

    def rename(self, name: str) -> None:
        """The project's name (the VBA editor shows "NAME (file)")."""
        self.head = [
            (rid, name.encode(self.codepage) if rid == 0x0004 else p) for rid, p in self.head
        ]
        self.project = re.sub(r'^Name="[^"]*"', f'Name="{name}"', self.project, flags=re.M)

    def write(self) -> bytes:
        records = [
            *self.head,
            (0x000F, struct.pack("<H", len(self.modules))),
            (0x0013, self.cookie),
        ]
        for module in self.modules:
            records.extend(module.records)
        records.append((0x0010, b""))
        wm = bytearray()
        for module in self.modules:
            wm += module.name.encode(self.codepage) + b"\x00"
            wm += module.name.encode("utf-16-le") + b"\x00\x00"
        wm += b"\x00\x00"
        streams = {
            "PROJECT": self.project.encode(self.codepage),
            "PROJECTwm": bytes(wm),
            # [MS-OVBA] 2.3.4.1: version 0xFFFF and no performance cache, as a writer must
            # (xlwings' own files carry exactly these 7 bytes).
            "VBA/_VBA_PROJECT": bytes.fromhex("cc61ffff000100"),
            "VBA/dir": compress(_unrecords(records)),
            **self.other_streams,
        }
        for module in self.modules:
            streams["VBA/" + dict(module.records)[0x001A].decode(self.codepage)] = module.stream
        return write_cfb(streams)

    def _module(self, name: str) -> Module:
        for module in self.modules:
            if module.name == name:
                return module
        raise KeyError(name)


def _records(data: bytes) -> list[tuple[int, bytes]]:
    records = []
    at = 0
    while at < len(data):
        rid, size = struct.unpack_from("<HI", data, at)
        if rid == 0x0009:  # PROJECTVERSION: its "size" is a reserved 4, then 6 bytes follow
            size = 6
        records.append((rid, data[at + 6 : at + 6 + size]))
        at += 6 + size
    return records


def _unrecords(records: list[tuple[int, bytes]]) -> bytes:
    out = bytearray()
    for rid, payload in records:
        size = 4 if rid == 0x0009 else len(payload)
        out += struct.pack("<HI", rid, size) + payload
    return bytes(out)


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


# -- MS-CFB: a compound file ------------------------------------------------------------------

_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NONE = 0xFFFFFFFF


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    index: int = 0
    left: int = _NONE
    right: int = _NONE
    child: int = _NONE
    black: bool = True
    start: int = _END


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """A version 3 compound file (512-byte sectors) holding ``{"A/B": bytes}`` streams."""
    root = _Entry("Root Entry", 5)
    for path, data in streams.items():
        parent = root
        *storages, name = path.split("/")
        for storage in storages:
            found = next((c for c in parent.children if c.name == storage), None)
            if found is None:
                found = _Entry(storage, 1)
                parent.children.append(found)
            parent = found
        parent.children.append(_Entry(name, 2, data))
    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entry.index = len(entries)
        entries.append(entry)
        for child in entry.children:
            number(child)

    number(root)
    for entry in entries:
        if entry.children:
            ordered = sorted(entry.children, key=_cfb_key)
            depth = len(ordered).bit_length()
            full = len(ordered) == (1 << depth) - 1
            entry.child = _tree(ordered, 0, depth, full)

    # Streams under 4096 bytes live in the mini stream, in 64-byte mini sectors.
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != 2 or not entry.data:
            continue
        if len(entry.data) >= 4096:
            big.append(entry)
            continue
        count = -(-len(entry.data) // 64)
        entry.start = len(minifat)
        minifat.extend(entry.start + i + 1 for i in range(count - 1))
        minifat.append(_END)
        mini += entry.data.ljust(count * 64, b"\x00")

    def sectors(size: int) -> int:
        return -(-size // 512)

    dir_count = sectors(len(entries) * 128)
    minifat_count = sectors(len(minifat) * 4)
    mini_count = sectors(len(mini))
    body = dir_count + minifat_count + mini_count + sum(sectors(len(e.data)) for e in big)
    fat_count = 1
    while fat_count * 128 < fat_count + body:
        fat_count += 1
    if fat_count > 109:
        raise ValueError("too large for a compound file without DIFAT sectors")
    fat = [_FATSECT] * fat_count

    def chain(count: int) -> int:
        if not count:
            return _END
        first = len(fat)
        fat.extend(first + i + 1 for i in range(count - 1))
        fat.append(_END)
        return first

    first_dir = chain(dir_count)
    first_minifat = chain(minifat_count)
    root.start = chain(mini_count)
    for entry in big:
        entry.start = chain(sectors(len(entry.data)))
    fat.extend([_FREE] * (fat_count * 128 - len(fat)))

    free = bytearray(128)
    struct.pack_into("<III", free, 68, _NONE, _NONE, _NONE)
    directory = b"".join(_dir_entry(e, len(mini)) for e in entries)
    directory += bytes(free) * (dir_count * 4 - len(entries))
    minifat_bytes = b"".join(struct.pack("<I", v) for v in minifat)
    out = bytearray(512)
    out[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", out, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into(
        "<IIIIIIIII",
        out,
        40,
        0,
        fat_count,
        first_dir,
        0,
        4096,
        first_minifat,
        minifat_count,
        _END,
        0,
    )
    struct.pack_into("<109I", out, 76, *(list(range(fat_count)) + [_FREE] * (109 - fat_count)))
    out += b"".join(struct.pack("<I", v) for v in fat)
    out += directory
    out += minifat_bytes.ljust(minifat_count * 512, b"\xff")
    out += bytes(mini).ljust(mini_count * 512, b"\x00")
    for entry in big:
        out += entry.data.ljust(sectors(len(entry.data)) * 512, b"\x00")
    return bytes(out)


def _cfb_key(entry: _Entry) -> tuple[int, str]:
    # [MS-CFB] 2.6.4: shorter names first, then by upper-cased UTF-16 code units.
    return len(entry.name.encode("utf-16-le")), entry.name.upper()


def _tree(ordered: list[_Entry], level: int, depth: int, full: bool) -> int:
    """A balanced red-black tree: black, but for the nodes of a partly filled last level."""
    if not ordered:
        return _NONE
    middle = len(ordered) // 2
    node = ordered[middle]
    node.left = _tree(ordered[:middle], level + 1, depth, full)
    node.right = _tree(ordered[middle + 1 :], level + 1, depth, full)
    node.black = full or level < depth - 1
    return node.index


def _dir_entry(entry: _Entry, mini_size: int) -> bytes:
    name = entry.name.encode("utf-16-le")
    out = bytearray(128)
    out[0 : len(name)] = name
    struct.pack_into("<HBB", out, 64, len(name) + 2, entry.kind, 1 if entry.black else 0)
    struct.pack_into("<III", out, 68, entry.left, entry.right, entry.child)
    if entry.kind == 5:
        start, size = entry.start, mini_size
    elif entry.kind == 2:
        start, size = (entry.start, len(entry.data)) if entry.data else (_END, 0)
    else:
        start, size = 0, 0
    struct.pack_into("<IQ", out, 116, start, size)
    return bytes(out)


# -- the two files ----------------------------------------------------------------------------


def quickstart(kind: str, workdir: Path) -> Path:
    """The file ``xlwings quickstart`` writes: ``--standalone`` or ``--addin --ribbon``."""
    xlwings = shutil.which("xlwings", path=str(Path(sys.executable).parent)) or shutil.which(
        "xlwings"
    )
    if xlwings is None:
        raise SystemExit('The xlwings command is missing: pip install "ctmtcntt[excel]"')
    flags = ["--standalone"] if kind == "xlsm" else ["--addin", "--ribbon"]
    subprocess.run([xlwings, "quickstart", "ctmt_build", *flags], cwd=workdir, check=True)
    return workdir / "ctmt_build" / f"ctmt_build.{kind}"


def vba_source() -> str:
    return (VBA_DIR / f"{MODULE}.bas").read_text(encoding="ascii")


def build_project(package: Path, *, sample: str, addin: bool) -> bytes:
    with zipfile.ZipFile(package) as zf:
        project = VbaProject.read(zf.read("xl/vbaProject.bin"))
    project.remove_module(sample)
    project.add_module(MODULE, vba_source())
    if addin:
        xlwings = project.source("xlwings")
        changed = xlwings.replace(
            'PROJECT_NAME As String = "myaddin"', f'PROJECT_NAME As String = "{ADDIN_PROJECT}"'
        )
        if changed == xlwings:
            raise SystemExit('xlwings\' add-in module no longer has PROJECT_NAME = "myaddin"')
        project.set_source("xlwings", changed)  # its line ends kept as xlwings wrote them
        project.rename("CtmtCntt")
    data = project.write()
    check = VbaProject.read(data)
    assert check.source(MODULE).replace("\r\n", "\n") == _crlf(vba_source()).replace("\r\n", "\n")
    return data


def build_xlsm(vba: bytes, out: Path, interpreter: str | None = None) -> None:
    """The macro workbook; with ``interpreter``, its settings sheet is live ("xlwings.conf",
    which xlwings reads before any other setting) and names that Python for Windows.
    xlwings expands environment variables in it (``%LOCALAPPDATA%``) when a button runs."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(out))
    workbook.set_properties({"title": "ctmtcntt", "author": "ctmtcntt", "created": FIXED_TIME})
    workbook.add_vba_project(io.BytesIO(vba), is_stream=True)
    workbook.set_vba_name("ThisWorkbook")
    sheet = workbook.add_worksheet("Bảng điều khiển")
    sheet.set_vba_name("Sheet1")
    title = workbook.add_format({"bold": True, "font_size": 15, "font_color": "#1F4E79"})
    bold = workbook.add_format({"bold": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    entry = workbook.add_format({"bg_color": "#FFF2CC", "border": 1})
    sheet.set_column("A:A", 30)
    sheet.set_column("B:B", 70)
    sheet.set_column("C:D", 12)
    sheet.write("A1", "Chương trình mục tiêu CNTT 2016–2020: Phụ lục 01, 02", title)
    sheet.write(
        "A2",
        "Kiểm tra, tính tổng và tổng hợp báo cáo của các đơn vị (ctmtcntt). "
        "Cần cài Python và ctmtcntt: xem tài liệu «Hướng dẫn sử dụng».",
    )
    sheet.write("A3", "Thư mục báo cáo:", bold)
    sheet.write_blank("B3", None, entry)
    sheet.write("A4", "Danh sách đơn vị (CSV, nếu có):", bold)
    sheet.write_blank("B4", None, entry)
    sheet.write("A5", "Đơn vị báo cáo (tổng hợp):", bold)
    sheet.write_blank("B5", None, entry)
    workbook.define_name("ThuMuc", "='Bảng điều khiển'!$B$3")
    workbook.define_name("DanhSach", "='Bảng điều khiển'!$B$4")
    workbook.define_name("DonViBaoCao", "='Bảng điều khiển'!$B$5")
    # Under the buttons: the form set of the report (empty: the 2016-2020 programme's), then the
    # cell of the province's own Word template for «Soạn báo cáo».
    sheet.write("A7", "Bộ biểu mẫu (trống: Phụ lục 01, 02):", bold)
    sheet.write_blank("B7", None, entry)
    workbook.define_name("BoBieuMau", "='Bảng điều khiển'!$B$7")
    sheet.write("A8", "Mẫu báo cáo (Word, nếu có):", bold)
    sheet.write_blank("B8", None, entry)
    workbook.define_name("MauBaoCao", "='Bảng điều khiển'!$B$8")
    buttons = (
        ("A6", "CtmtKiemTra", "Kiểm tra", 4),
        ("B6", "CtmtTinhTong", "Tính tổng, tỷ lệ", 0),
        ("B6", "CtmtTongHop", "Tổng hợp thư mục", 190),
        ("B6", "CtmtSoanBaoCao", "Soạn báo cáo", 380),
    )
    for cell, macro, caption, offset in buttons:
        sheet.insert_button(
            cell,
            {
                "macro": macro,
                "caption": caption,
                "width": 170,
                "height": 36,
                "x_offset": offset,
                "y_offset": 4,
            },
        )
    sheet.set_row(5, 36)
    notes = (
        (
            "Kiểm tra",
            "Mở tệp báo cáo của đơn vị cùng sổ này, bấm «Kiểm tra». Ô có lỗi tô đỏ, "
            "ô có cảnh báo tô vàng; trang «Kết quả kiểm tra» liệt kê từng lỗi và cách sửa.",
        ),
        (
            "Tính tổng, tỷ lệ",
            "Ghi các ô tính toán (tỷ lệ, tổng, đánh giá Đạt/Không đạt) vào "
            "tệp báo cáo đang mở. Sau đó lưu tệp.",
        ),
        (
            "Tổng hợp thư mục",
            "Chọn thư mục chứa các tệp báo cáo (ô B3 nhớ thư mục lần trước). "
            "Tệp «Tổng hợp - <tên thư mục>.xlsx» được ghi cạnh thư mục rồi mở ra; dòng "
            "«Đơn vị báo cáo» của nó ghi tên ở ô B5 (trống thì nút hỏi), để cấp trên "
            "tổng hợp tiếp.",
        ),
        (
            "Soạn báo cáo",
            "Chọn thư mục như trên: tệp «Báo cáo - <tên thư mục>.docx» (dự thảo Báo cáo, Word) "
            "được ghi cạnh thư mục, mang tên ở ô B5. Phần tô vàng do cán bộ viết. "
            "Ô B8 có thể ghi mẫu Word của tỉnh.",
        ),
        (
            "Khi có nhiều sổ đang mở",
            "Sổ này hỏi số thứ tự của sổ cần xử lý. Nếu chưa mở sổ nào, sổ này cho chọn tệp để mở.",
        ),
        (
            "Nếu Excel không tìm thấy Python",
            f"Trên trang «{CONF_SHEET}», ghi đường dẫn pythonw.exe vào ô cạnh «Interpreter_Win»."
            if interpreter
            else "Đổi tên trang «_xlwings.conf» thành «xlwings.conf» "
            "và ghi đường dẫn python.exe vào ô cạnh «Interpreter_Win».",
        ),
    )
    for row, (name, text) in enumerate(notes, start=9):
        sheet.write(row, 0, name, bold)
        sheet.write(row, 1, text, wrap)
        sheet.set_row(row, 45)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.print_area("A1:D15")
    sheet.activate()
    conf = workbook.add_worksheet(CONF_SHEET if interpreter else f"_{CONF_SHEET}")
    conf.set_vba_name("Sheet2")
    settings = (
        ("Interpreter_Win", interpreter),
        ("Interpreter_Mac", None),
        ("PYTHONPATH", None),
        ("Conda Path", None),
        ("Conda Env", None),
        ("UDF Modules", None),
        ("Debug UDFs", False),
        ("Use UDF Server", False),
        ("Show Console", False),
    )
    for row, (key, value) in enumerate(settings):
        conf.write(row, 0, key)
        if isinstance(value, bool):
            conf.write_boolean(row, 1, value)
        elif value is not None:
            conf.write_string(row, 1, value)
    conf.set_column("A:A", 18)
    conf.set_column("B:B", 55 if interpreter else 40)
    if interpreter:
        conf.write("D1", "Các thiết lập trên trang này có hiệu lực (do cai-dat.bat cài đặt).")
        conf.write("D2", "Interpreter_Win: Python trong môi trường cai-dat.bat đã tạo.")
    else:
        conf.write(
            "D1",
            "Đổi tên trang này thành «xlwings.conf» (bỏ dấu _ ở đầu) để các thiết lập có hiệu lực.",
        )
        conf.write("D2", "Interpreter_Win: đường dẫn python.exe, ví dụ C:\\Python312\\python.exe")
    workbook.close()


def build_xlam(vba: bytes, package: Path, out: Path) -> None:
    conf_old, conf_new = "_myaddin.conf", f"_{ADDIN_PROJECT}.conf"
    with (
        zipfile.ZipFile(package) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/vbaProject.bin":
                data = vba
            elif item.filename == "customUI/customUI.xml":
                data = RIBBON.encode("utf-8")
            elif item.filename in ("xl/workbook.xml", "docProps/app.xml"):
                data = data.replace(conf_old.encode(), conf_new.encode())
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=WORKBOOKS, help="folder to write into")
    parser.add_argument(
        "--interpreter", help="the Python the .xlsm runs on Windows (its xlwings.conf sheet)"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "xlsm").mkdir()
        (work / "xlam").mkdir()
        standalone = quickstart("xlsm", work / "xlsm")
        ribbon = quickstart("xlam", work / "xlam")
        build_xlsm(
            build_project(standalone, sample="Module1", addin=False),
            args.out / "ctmtcntt.xlsm",
            args.interpreter,
        )
        build_xlam(
            build_project(ribbon, sample="RibbonMyAddin", addin=True),
            ribbon,
            args.out / "ctmtcntt.xlam",
        )
    print(f"Wrote {args.out / 'ctmtcntt.xlsm'} and {args.out / 'ctmtcntt.xlam'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
