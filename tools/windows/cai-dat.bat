@echo off
rem Cài ctmtcntt cho người dùng này từ bộ cài offline: không cần quyền quản trị, không cần Internet.
rem Tệp này nằm trong bộ cài do tools/build_windows_bundle.py tạo (cạnh thư mục wheels).
rem Các bước [1]..[9] là đúng các lệnh ở mục 1 của docs/huong-dan-su-dung.md (kiểm thử so sánh).
setlocal EnableExtensions DisableDelayedExpansion
chcp 65001 >nul
set "BUNDLE=%~dp0"
echo.
echo Cài đặt ctmtcntt (Phụ lục 01, 02) cho người dùng %USERNAME%
echo.

rem Tìm Python 3.11, 3.12 hoặc 3.13 bản 64-bit (cài từ python.org): trình chạy py, rồi python.
set "PY="
set "CHECK=import struct, sys; sys.exit(sys.version_info[:2] not in [(3, 11), (3, 12), (3, 13)] or struct.calcsize('P') != 8)"
for %%V in (3.13 3.12 3.11) do (
    if not defined PY py -%%V -c "%CHECK%" >nul 2>&1 && set "PY=py -%%V"
)
if not defined PY python -c "%CHECK%" >nul 2>&1 && set "PY=python"
if not defined PY goto no_python
echo Dùng Python: %PY%

rem [1] Thư mục cài đặt, trong hồ sơ của người dùng
set "APP=%LOCALAPPDATA%\ctmtcntt"
rem [2] Tạo môi trường Python riêng cho ctmtcntt
%PY% -m venv "%APP%\venv"
if errorlevel 1 goto no_venv
rem [3] Cài ctmtcntt và mọi gói nó cần từ thư mục wheels của bộ cài, không cần Internet
"%APP%\venv\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links "%BUNDLE%wheels" --upgrade "ctmtcntt[excel]"
if errorlevel 1 goto no_packages
rem [4] Chép sổ điều khiển vào thư mục cài đặt (trang xlwings.conf của nó chỉ tới Python vừa cài)
copy /Y "%BUNDLE%ctmtcntt.xlsm" "%APP%\ctmtcntt.xlsm"
if errorlevel 1 goto no_copy
rem [5] Chép add-in vào thư mục cài đặt
copy /Y "%BUNDLE%ctmtcntt.xlam" "%APP%\ctmtcntt.xlam"
if errorlevel 1 goto no_copy
rem [6] Cho add-in biết Python vừa cài (tệp cấu hình của add-in)
if not exist "%USERPROFILE%\.ctmtcntt" mkdir "%USERPROFILE%\.ctmtcntt"
rem [7] Chép tệp cấu hình đó (ghi %LOCALAPPDATA%, xlwings tự thay bằng thư mục của người dùng)
copy /Y "%BUNDLE%ctmtcntt.conf" "%USERPROFILE%\.ctmtcntt\ctmtcntt.conf"
rem [8] Bỏ dấu «tải từ Internet» để Excel không chặn macro của hai tệp (không bắt buộc)
powershell -NoProfile -Command "Unblock-File -LiteralPath '%APP%\ctmtcntt.xlsm', '%APP%\ctmtcntt.xlam'"
rem [9] Thử: Python mới cài nạp được ctmtcntt và xlwings
"%APP%\venv\Scripts\python.exe" -c "import ctmtcntt.excel, xlwings; print('ctmtcntt', ctmtcntt.__version__, '- xlwings', xlwings.__version__)"
if errorlevel 1 goto no_packages

rem Lối tắt trên màn hình nền tới sổ điều khiển (không bắt buộc: có thể bị chính sách chặn).
powershell -NoProfile -Command "$s = (New-Object -ComObject WScript.Shell).CreateShortcut([Environment]::GetFolderPath('Desktop') + '\ctmtcntt.lnk'); $s.TargetPath = '%APP%\ctmtcntt.xlsm'; $s.Save()" >nul 2>&1
echo.
echo Đã cài xong. Sổ điều khiển: %APP%\ctmtcntt.xlsm
echo (có lối tắt «ctmtcntt» trên màn hình nền). Mở sổ, bấm Enable Content, rồi bấm các nút.
echo Add-in: %APP%\ctmtcntt.xlam (cài trong Excel: xem mục 1 của hướng dẫn).
goto done

:no_python
echo Không tìm thấy Python 3.11, 3.12 hoặc 3.13 bản 64-bit. Hãy nhờ cán bộ CNTT cài Python từ
echo python.org (Windows installer 64-bit) rồi chạy lại tệp này.
goto failed
:no_venv
echo Không tạo được môi trường Python trong %APP%\venv. Kiểm tra chỗ trống trên ổ đĩa, rồi chạy lại.
goto failed
:no_packages
echo Không cài được ctmtcntt từ thư mục %BUNDLE%wheels. Bộ cài có thể thiếu tệp hoặc không hợp với
echo bản Python này (cần 3.11, 3.12 hoặc 3.13 bản 64-bit): xin cán bộ CNTT bộ cài mới.
goto failed
:no_copy
echo Không chép được tệp vào %APP%. Nếu sổ ctmtcntt.xlsm đang mở trong Excel, hãy đóng rồi chạy lại.
goto failed
:failed
echo.
echo Chưa cài xong.
pause
exit /b 1
:done
echo.
pause
exit /b 0
