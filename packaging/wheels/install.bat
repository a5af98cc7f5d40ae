@echo off
rem Offline install of gov-report (Windows x64): runs install.ps1 beside this file.
rem Usage: install.bat [--ocr] [target folder]   (--ocr: also the scan reading parts, if the kit has them)
powershell -NoProfile -ExecutionPolicy Bypass -File "%~dp0install.ps1" %*
if errorlevel 1 (
    pause
    exit /b 1
)
pause
