"""``ctmt``: the command line. Glue only: parse, one library call, render, exit code.

Exit codes (``errors.EXIT_*``): 0 no errors (warnings allowed); 1 some workbook has errors;
2 usage; 3 some file could not be read at all (the others are still checked and reported);
4 the run could not finish (interrupted, an output not written, output not printed).
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import gc
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from .forms.spec import Catalogue

from . import __version__
from .common import interrupt
from .errors import (
    EXIT_UNFINISHED,
    EXIT_UNREADABLE,
    EXIT_USAGE,
    CtmtError,
    UnreadableError,
    UsageError,
    WorkbookError,
)

F = TypeVar("F", bound=Callable[..., Any])


def _roster_option(func: F) -> F:
    return click.option(
        "--roster",
        type=_Path(exists=True, dir_okay=False, path_type=Path),
        metavar="CSV",
        help="Danh sách đơn vị (CSV: code,name,level,communes).",
    )(func)


def _forms_option(func: F) -> F:
    return click.option(
        "--forms",
        type=_Forms(),
        metavar="TÊN|THƯ_MỤC",
        help=(
            "Bộ biểu mẫu: tên một bộ có sẵn (ctmt-2016-2020, mặc định; cds-2024) hoặc thư mục"
            " có set.yaml và các biểu mẫu .yaml."
        ),
    )(func)


def _format_option(func: F) -> F:
    return click.option(
        "--format",
        "output_format",
        type=_Choice(["text", "json"]),
        default="text",
        show_default=True,
        metavar="text|json",
        help="Kết quả dạng bảng dễ đọc hoặc JSON.",
    )(func)


def _run(action: Callable[[], int]) -> None:
    """Translate our errors into messages and exit codes, in one place."""
    # A command builds large tables with no reference cycles and then exits: the cyclic
    # collector would only walk them (0.2 s after reading 1,000 files). Reference counting
    # still frees everything; reading workers run their own collector (see common/isolate.py).
    gc.disable()
    try:
        interrupt.check()
        code = action()
        interrupt.check()
    except UsageError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except UnreadableError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        if isinstance(exc, WorkbookError) and exc.detail:
            click.echo(f"  (chi tiết kỹ thuật: {exc.detail})", err=True)
        sys.exit(EXIT_UNREADABLE)
    except CtmtError as exc:
        # An output that could not be written (OutputError), a worker that would not start:
        # the run could not finish, whatever the files hold.
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(EXIT_UNFINISHED)
    except BrokenPipeError:
        # The reader of stdout went away (``| head``); click would exit 1, "errors found".
        sys.exit(_lost_output())
    except OSError as exc:
        # A folder that cannot be listed, a file that vanished: say which, no traceback.
        where = f" {exc.filename}" if exc.filename else ""
        click.echo(f"Lỗi: không đọc hoặc ghi được{where}: {_os_text(exc)}.", err=True)
        sys.exit(EXIT_UNFINISHED)
    except Exception as exc:
        click.echo(_msg_unexpected(exc), err=True)
        sys.exit(EXIT_UNFINISHED)
    # Everything is written: spare the interpreter a last walk over pandas' million objects.
    gc.freeze()
    sys.exit(code)


def _msg_unexpected(exc: Exception) -> str:
    return (
        f"Lỗi: chương trình gặp lỗi không lường trước ({type(exc).__name__}: {exc}) nên không"
        " làm xong việc; tệp đầu vào không bị sửa, tệp kết quả cũ (nếu có) vẫn giữ nguyên. Hãy"
        " gửi thông báo này cho cán bộ phụ trách CNTT."
    )


# click 8.2+ says "no command given" with the help as the error's message.
_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


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


_USAGE_WORDS = {"[OPTIONS]": "[TÙY CHỌN]", "COMMAND [ARGS]...": "LỆNH [THAM SỐ]..."}
# What click appends to an option's help, in its words.
_EXTRA_WORDS = {"default: ": "mặc định: ", "required": "bắt buộc", "env var: ": "biến môi trường: "}
_EXTRAS = re.compile(r"(?<=\[)(default: |required|env var: )")


class _Vietnamese:
    """Help screens in Vietnamese: staff read "Cách dùng" and "Tùy chọn", not click's English."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "Hiện hướng dẫn này rồi thoát."
        return option  # type: ignore[no-any-return]

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = [
            _USAGE_WORDS.get(piece, piece)
            for piece in self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        ]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Cách dùng: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [
            (name, _EXTRAS.sub(lambda m: _EXTRA_WORDS[m.group(1)], text))
            for param in self.get_params(ctx)  # type: ignore[attr-defined]
            if not isinstance(param, click.Argument) and (record := param.get_help_record(ctx))
            for name, text in [record]
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

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            hint = f" Có phải ý bạn là '{close[0]}'?" if close else ""
            ctx.fail(f"Không có lệnh '{name}'.{hint}")
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's own command-line errors, said in Vietnamese (click says them in English)."""
        run = functools.partial(super().main, args, prog_name, complete_var, False, **extra)
        if not standalone_mode:
            return run()
        try:
            code: Any = run()
        except click.ClickException as exc:
            _show_error(exc)
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt, EOFError):
            interrupt.say_stopped()
            sys.exit(EXIT_UNFINISHED)
        sys.exit(code if isinstance(code, int) else 0)


def _show_error(exc: click.ClickException) -> None:
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, _NO_ARGS_IS_HELP) and ctx is not None:
        # Bare ``ctmt``: the help, once, as ``ctmt --help`` shows it (click's message is it).
        click.echo(ctx.get_help(), err=True)
        return
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        help_names = ctx.help_option_names
        if help_names:
            click.echo(f"Xem '{ctx.command_path} {help_names[-1]}' để được hướng dẫn.", err=True)
        click.echo(err=True)
    click.echo(f"Lỗi: {_vietnamese(exc)}", err=True)


def _vietnamese(exc: click.ClickException) -> str:
    """The message of click's own errors in Vietnamese; click's text for any other."""
    if isinstance(exc, click.NoSuchOption):
        close = " hoặc ".join(f"'{p}'" for p in sorted(exc.possibilities or ()))
        return f"Không có tùy chọn '{exc.option_name}'." + (
            f" Có phải ý bạn là {close}?" if close else ""
        )
    if isinstance(exc, click.MissingParameter):
        hint = _param_hint(exc)
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "")
        what = {"argument": "đối số", "option": "tùy chọn"}.get(kind, "tham số")
        return f"Thiếu {what} {hint}." if hint else f"Thiếu {what}."
    if isinstance(exc, click.BadParameter):
        hint = _param_hint(exc)
        return f"Giá trị không hợp lệ cho {hint}: {exc.message}" if hint else exc.message
    if isinstance(exc, click.BadOptionUsage) and "requires an argument" in exc.message:
        return f"Tùy chọn '{exc.option_name}' cần một giá trị."
    if isinstance(exc, click.UsageError) and exc.message.startswith("Got unexpected extra"):
        extra = exc.message.partition("(")[2].rstrip(")")
        return f"Thừa đối số: {extra}." if extra else "Thừa đối số."
    return exc.format_message()


def _param_hint(exc: click.BadParameter) -> str | None:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return " / ".join(f"'{h}'" for h in hint) if not isinstance(hint, str) else hint
    if exc.param is not None and exc.ctx is not None:
        return exc.param.get_error_hint(exc.ctx)
    return None


class _Path(click.Path):
    """click.Path saying in Vietnamese that a path does not exist or is of the wrong kind."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = Path(os.fsdecode(value)) if isinstance(value, (str, bytes)) else None
        try:
            if path is not None and self.exists and not path.exists():
                self.fail(f"không có tệp hoặc thư mục '{path}'.", param, ctx)
            if path is not None and not self.dir_okay and path.is_dir():
                self.fail(f"'{path}' là một thư mục, cần một tệp.", param, ctx)
            if path is not None and not self.file_okay and path.is_file():
                self.fail(f"'{path}' là một tệp, cần một thư mục.", param, ctx)
            readable = not self.readable or path is None or not path.exists()
            if not (readable or os.access(path, os.R_OK)):  # type: ignore[arg-type]
                self.fail(f"không có quyền đọc '{path}'. {_ACCESS_ADVICE}", param, ctx)
        except OSError as exc:  # a folder on the way that may not be looked into
            self.fail(f"không truy cập được '{path}' ({_os_text(exc)}).", param, ctx)
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            # click's remaining checks say it in English; no case of ours reaches them.
            self.fail(f"không dùng được đường dẫn '{value}'.", param, ctx)


_ACCESS_ADVICE = "Hãy kiểm tra quyền truy cập, hoặc chép tệp sang thư mục của mình rồi chạy lại."


def _os_text(exc: OSError) -> str:
    """An operating system error in Vietnamese, for the common cases."""
    if isinstance(exc, PermissionError):
        return "không có quyền truy cập"
    if isinstance(exc, FileNotFoundError):
        return "không tìm thấy"
    return exc.strerror or str(exc)


class _Forms(click.ParamType):  # type: ignore[type-arg]
    """A form set named by its name or folder, loaded; said in Vietnamese when there is none."""

    name = "forms"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from .errors import SpecError
        from .forms.spec import Catalogue, load_catalogue

        if isinstance(value, Catalogue):
            return value
        try:
            return load_catalogue(os.fsdecode(value))
        except SpecError as exc:
            self.fail(str(exc), param, ctx)


class _Choice(click.Choice):  # type: ignore[type-arg]
    """click.Choice saying in Vietnamese which values it takes."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            allowed = ", ".join(f"'{c}'" for c in self.choices)
            self.fail(f"'{value}' không phải một trong {allowed}.", param, ctx)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ctmt", help="Hiện số phiên bản rồi thoát.")
def main() -> None:
    """Kiểm tra, tính toán và tổng hợp Phụ lục 01, 02 đánh giá Chương trình mục tiêu CNTT."""


@main.command()
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    # Readability is the reader's to judge: an unreadable file is refused in Vietnamese and
    # the others are still checked (exit 3), as for a file found in a folder.
    type=_Path(path_type=Path, readable=False),
    metavar="ĐƯỜNG_DẪN...",
)
@_roster_option
@_format_option
@_forms_option
def validate(
    paths: tuple[Path, ...], roster: Path | None, output_format: str, forms: Catalogue | None
) -> None:
    """Kiểm tra các tệp báo cáo (thư mục: mọi tệp Excel trong đó). Không sửa tệp nào."""
    from .forms.roster import load_roster
    from .workflows import validate as run

    def action() -> int:
        result = run(
            paths,
            roster=load_roster(roster) if roster else None,
            progress=_Bar(),
            forms=forms,
        )
        if output_format == "json":
            _emit_json(result.to_dict())
        else:
            # After the run: it imports pandas, which the run imports while the files are read.
            from .render import validation_text

            click.echo(validation_text(result))
        return result.exit_code

    _run(action)


@main.command()
@click.argument("form", metavar="BIỂU_MẪU")
@click.option(
    "-o",
    "--output",
    type=_Path(dir_okay=False, path_type=Path),
    required=True,
    metavar="TỆP.xlsx",
    help="Tệp mẫu sẽ tạo (.xlsx; tên không có đuôi được thêm .xlsx).",
)
@_forms_option
def template(form: str, output: Path, forms: Catalogue | None) -> None:
    """Tạo biểu mẫu trống BIỂU_MẪU của bộ biểu mẫu đã chọn để gửi các đơn vị điền."""
    from .forms.templates import write_template

    def action() -> int:
        written = write_template(form, output, forms)
        click.echo(f"Đã tạo {written}")
        return 0

    _run(action)


@main.command()
@click.argument(
    "path",
    type=_Path(exists=True, dir_okay=False, readable=False, path_type=Path),
    metavar="TỆP",
)
@click.option(
    "-o",
    "--output",
    type=_Path(dir_okay=False, path_type=Path),
    metavar="TỆP_MỚI",
    help="Ghi kết quả ra tệp này (tệp gốc giữ nguyên; cùng đuôi .xlsx/.xlsm với tệp gốc).",
)
@click.option("--in-place", is_flag=True, help="Ghi thẳng vào tệp gốc (an toàn, ghi nguyên khối).")
@_forms_option
def fill(path: Path, output: Path | None, in_place: bool, forms: Catalogue | None) -> None:
    """Tính các ô tổng, tỷ lệ, đánh giá và ghi vào bảng tính của đơn vị."""
    from .workflows import fill as run

    def action() -> int:
        result = run(path, output, in_place=in_place, forms=forms)
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
@click.argument("folder", type=_Path(exists=True, path_type=Path), metavar="THƯ_MỤC")
@click.option(
    "-o",
    "--output",
    type=_Path(dir_okay=False, path_type=Path),
    metavar="TỆP.xlsx",
    help="Tệp tổng hợp của tỉnh (.xlsx; tên không có đuôi được thêm .xlsx).",
)
@_roster_option
@_format_option
@click.option("--name", metavar="TÊN", help='Tên ghi ở dòng "Đơn vị báo cáo:" của tệp tổng hợp.')
@click.option("--strict", is_flag=True, help="Không ghi tệp tổng hợp khi còn lỗi.")
@_forms_option
def consolidate(
    folder: Path,
    output: Path | None,
    roster: Path | None,
    output_format: str,
    name: str | None,
    strict: bool,
    forms: Catalogue | None,
) -> None:
    """Tổng hợp mọi tệp báo cáo trong thư mục (kể cả thư mục con) thành báo cáo của tỉnh."""
    from .workflows import consolidate as run
    from .workflows import province_output

    def action() -> int:
        target = None if output is None else province_output(output, [folder])
        result = run(folder, roster, name=name, progress=_Bar(), forms=forms)
        # After the run: it imports pandas while the workers read, not before they start.
        from .render import consolidation_text

        if target is not None and not (strict and result.has_errors) and not result.nothing_read:
            result.write(target)
        if result.nothing_read:
            click.echo(f"Lỗi: {result.nothing_read_message()}", err=True)
        if output_format == "json":
            _emit_json(result.to_dict())
        else:
            click.echo(consolidation_text(result, strict=strict))
        return result.exit_code

    _run(action)


@main.command()
@click.argument("source", type=_Path(exists=True, path_type=Path), metavar="NGUỒN")
@click.option(
    "-o",
    "--output",
    type=_Path(dir_okay=False, path_type=Path),
    default=Path("bao-cao.docx"),
    show_default=True,
    metavar="TỆP.docx",
    help="Tệp báo cáo sẽ soạn (.docx).",
)
@click.option(
    "--template",
    type=_Path(exists=True, dir_okay=False, path_type=Path),
    metavar="MẪU.docx",
    help="Mẫu báo cáo Word (.docx) của tỉnh; mặc định dùng mẫu kèm theo chương trình.",
)
@_roster_option
@_format_option
@click.option(
    "--name",
    metavar="TÊN",
    help='Tên tỉnh như ghi ở "Đơn vị báo cáo", ví dụ "UBND tỉnh Bình Định".',
)
@_forms_option
def report(
    source: Path,
    output: Path,
    template: Path | None,
    roster: Path | None,
    output_format: str,
    name: str | None,
    forms: Catalogue | None,
) -> None:
    """Soạn dự thảo Báo cáo (Word) từ thư mục báo cáo của các đơn vị hoặc từ tệp tổng hợp
    của tỉnh."""
    from .workflows import consolidate as run

    def action() -> int:
        from .common.saving import output_path

        target = output_path(output, ".docx")  # before the long run: refused at once
        result = run(source, roster, name=name, progress=_Bar(), forms=forms)
        draft = result.write_report(target, template)
        if output_format == "json":
            document = draft.to_dict()
            document["findings"] = [f.to_dict() for f in result.data.findings]
            _emit_json(document)
        else:
            from .render import draft_text

            click.echo(draft_text(result, draft))
        return result.exit_code

    _run(action)


def run() -> None:
    """The ``ctmt`` program: the command line, its exit code, and its output flushed.

    Whatever became of stdout (closed by the reader, ``ctmt … | head``), the exit code says
    it: 4 when the output could not all be printed, never a success.
    """
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    except BrokenPipeError:
        code = _lost_output()
    if code is None:
        code = 0
    elif not isinstance(code, int):
        click.echo(str(code), err=True)
        code = EXIT_UNFINISHED
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        code = _lost_output()
    sys.exit(code)


def _lost_output() -> int:
    """The reader of our output went away (``ctmt … | head``, a closed pipe): say so, and do
    not claim success."""
    with contextlib.suppress(OSError, ValueError):
        # What is still buffered for stdout would fail again at every flush.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    with contextlib.suppress(OSError, ValueError):
        click.echo("Lỗi: không in hết được kết quả (đầu ra chuẩn đã bị đóng giữa chừng).", err=True)
    return EXIT_UNFINISHED
