# 准备环境（首次会安装依赖）后启动政府信息公开年报助手。
#
#   powershell -ExecutionPolicy Bypass -File scripts\run.ps1 [main.py 的参数 …]
#
# 注意：本文件须保存为带 BOM 的 UTF-8，Windows PowerShell 5.1 才能正确读取中文。

$ErrorActionPreference = 'Stop'

$Root = Split-Path -Parent $PSScriptRoot

& (Join-Path $PSScriptRoot 'setup.ps1')
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

Push-Location $Root
try {
    & (Join-Path $Root '.venv\Scripts\python.exe') main.py @args
    $code = $LASTEXITCODE
} finally {
    Pop-Location
}
exit $code
