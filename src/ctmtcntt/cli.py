"""``ctmt``: the command line. Glue only: parse, one library call, render, exit code.

Exit codes: 0 no errors (warnings allowed); 1 some workbook has errors; 2 usage;
3 some file could not be read at all (the others are still checked and reported).
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import CtmtError, UsageError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USAGE = 2


def _roster_option(func: F) -> F:
    return click.option(
        "--roster",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Danh sách đơn vị (CSV: code,name,level,communes).",
    )(func)


def _format_option(func: F) -> F:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Kết quả dạng bảng dễ đọc hoặc JSON.",
    )(func)


def _run(action: Callable[[], int]) -> None:
    """Translate our errors into messages and exit codes, in one place."""
    # A command builds large tables with no reference cycles and then exits: the cyclic
    # collector would only walk them (0.2 s after reading 1,000 files). Reference counting
    # still frees everything; reading workers run their own collector (see _isolate).
    gc.disable()
    try:
        code = action()
    except UsageError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except CtmtError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(3)
    except OSError as exc:
        # A full disk, a read-only folder, an output path under a file: say which, no traceback.
        where = f" ({exc.filename})" if exc.filename else ""
        click.echo(f"Lỗi: không đọc hoặc ghi được tệp{where}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_USAGE)
    # Everything is written: spare the interpreter a last walk over pandas' million objects.
    gc.freeze()
    sys.exit(code)


class _Bar:
    """A progress bar on stderr for long folders; silent when stderr is not a terminal."""

    THRESHOLD = 20

    def __init__(self) -> None:
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total < self.THRESHOLD or not sys.stderr.isatty():
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label="Đang đọc tệp", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(1)
        if done == total:
            self._bar.__exit__(None, None, None)


def _emit_json(document: dict[str, Any]) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


class _Vietnamese:
    """Help screens in Vietnamese: staff read "Cách dùng" and "Tùy chọn", not click's English."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "Hiện hướng dẫn này rồi thoát."
        return option  # type: ignore[no-any-return]

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Cách dùng: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [
            record
            for param in self.get_params(ctx)  # type: ignore[attr-defined]
            if not isinstance(param, click.Argument) and (record := param.get_help_record(ctx))
        ]
        if records:
            with formatter.section("Tùy chọn"):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            commands = [
                (name, command)
                for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden
            ]
            if commands:
                limit = formatter.width - 6 - max(len(name) for name, _ in commands)
                with formatter.section("Lệnh"):
                    formatter.write_dl(
                        [(name, command.get_short_help_str(limit)) for name, command in commands]
                    )


class _Command(_Vietnamese, click.Command):
    pass


class _Group(_Vietnamese, click.Group):
    command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ctmt", help="Hiện số phiên bản rồi thoát.")
def main() -> None:
    """Kiểm tra, tính toán và tổng hợp Phụ lục 01, 02 đánh giá Chương trình mục tiêu CNTT."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_roster_option
@_format_option
def validate(paths: tuple[Path, ...], roster: Path | None, output_format: str) -> None:
    """Kiểm tra các tệp báo cáo (thư mục: mọi tệp Excel trong đó). Không sửa tệp nào."""
    from .roster import load_roster
    from .workflows import validate as run

    def action() -> int:
        result = run(paths, roster=load_roster(roster) if roster else None, progress=_Bar())
        if output_format == "json":
            _emit_json(result.to_dict())
        else:
            # After the run: it imports pandas, which the run imports while the files are read.
            from .render import validation_text

            click.echo(validation_text(result))
        return result.exit_code

    _run(action)


@main.command()
@click.argument("form", type=click.Choice(["PL01", "PL02"], case_sensitive=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Tệp mẫu sẽ tạo (.xlsx).",
)
def template(form: str, output: Path) -> None:
    """Tạo biểu mẫu trống PL01 hoặc PL02 để gửi các đơn vị điền."""
    from .templates import write_template

    def action() -> int:
        write_template(form.upper(), output)
        click.echo(f"Đã tạo {output}")
        return 0

    _run(action)


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi kết quả ra tệp này (tệp gốc giữ nguyên).",
)
@click.option("--in-place", is_flag=True, help="Ghi thẳng vào tệp gốc (an toàn, ghi nguyên khối).")
def fill(path: Path, output: Path | None, in_place: bool) -> None:
    """Tính các ô tổng, tỷ lệ, đánh giá và ghi vào bảng tính của đơn vị."""
    from .workflows import fill as run

    def action() -> int:
        result = run(path, output, in_place=in_place)
        if result.changed:
            click.echo(f"Đã ghi {len(result.changed)} ô tính toán vào {result.output}")
        elif in_place:
            click.echo(f"Các ô tính toán đã đúng; không cần thay đổi ({result.output}).")
        else:
            click.echo(f"Các ô tính toán đã đúng; đã chép sang {result.output}.")
        if result.errors:
            click.echo(
                f"Tệp có {len(result.errors)} lỗi: các ô tính từ số liệu lỗi được để nguyên. "
                f"Chạy: ctmt validate {path}",
                err=True,
            )
            return 1
        return 0

    _run(action)


@main.command()
@click.argument("folder", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp tổng hợp của tỉnh (.xlsx).",
)
@_roster_option
@_format_option
@click.option("--name", help='Tên ghi ở dòng "Đơn vị báo cáo:" của tệp tổng hợp.')
@click.option("--strict", is_flag=True, help="Không ghi tệp tổng hợp khi còn lỗi.")
def consolidate(
    folder: Path,
    output: Path | None,
    roster: Path | None,
    output_format: str,
    name: str | None,
    strict: bool,
) -> None:
    """Tổng hợp mọi tệp báo cáo trong thư mục (kể cả thư mục con) thành báo cáo của tỉnh."""
    from .intake import workbook_paths
    from .workflows import consolidate as run

    def action() -> int:
        if output is not None:
            _refuse_overwriting_input(folder, output, workbook_paths)
        result = run(folder, roster, name=name, progress=_Bar())
        # After the run: it imports pandas while the workers read, not before they start.
        from .render import consolidation_text

        if output is not None and not (strict and result.has_errors):
            result.write(output)
        if output_format == "json":
            _emit_json(result.to_dict())
        else:
            click.echo(consolidation_text(result, strict=strict))
        return result.exit_code

    _run(action)


def _refuse_overwriting_input(
    folder: Path, output: Path, listing: Callable[..., list[Path]]
) -> None:
    from .intake import WORKBOOK_SUFFIXES
    from .writing import same_file

    # A file that does not exist yet is no input (a thousand inputs need not be compared).
    if output.exists() and any(same_file(path, output) for path in listing([folder])):
        raise UsageError(f"Tệp kết quả {output} là một tệp báo cáo đầu vào; hãy chọn tên khác.")
    inside = folder.is_dir() and output.resolve().is_relative_to(folder.resolve())
    if inside and output.suffix.lower() in WORKBOOK_SUFFIXES:
        # Written there, the province's workbook would be read back next time as one more unit.
        raise UsageError(
            f"Tệp kết quả {output} nằm trong thư mục đang tổng hợp {folder}: lần sau nó sẽ bị đọc "
            "lại như báo cáo của một đơn vị. Hãy ghi ra ngoài thư mục này."
        )


def run() -> None:
    """The ``ctmt`` program: the command line, then an exit that skips tearing down pandas.

    Once a command has written and printed everything, the interpreter would spend ~40 ms
    destroying modules nobody uses again; the streams are flushed and the process ends.
    (Only here: the command line called in-process, by tests or a host program, exits as usual.)
    """
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        click.echo(str(code), err=True)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        code = code or 1  # output lost (a closed pipe): do not claim success
    os._exit(code)
