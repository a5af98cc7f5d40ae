# 准备环境后依次运行 ruff、mypy 和 pytest；任何一步失败即以非零退出。
#
#   powershell -ExecutionPolicy Bypass -File scripts\test.ps1 [pytest 的参数 …]
#
# 注意：本文件须保存为带 BOM 的 UTF-8，Windows PowerShell 5.1 才能正确读取中文。

$ErrorActionPreference = 'Stop'

$Root = Split-Path -Parent $PSScriptRoot
$Scripts = Join-Path $Root '.venv\Scripts'

& (Join-Path $PSScriptRoot 'setup.ps1')
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

# 测试默认用 offscreen 平台（不弹窗）；已设置时尊重调用者的选择。结束后恢复原值，
# 以免影响同一 PowerShell 窗口里之后运行的 run.ps1。
$oldPlatform = $env:QT_QPA_PLATFORM
if (-not $env:QT_QPA_PLATFORM) { $env:QT_QPA_PLATFORM = 'offscreen' }

Push-Location $Root
$code = 0
try {
    Write-Host '[test] ruff check .'
    & (Join-Path $Scripts 'ruff.exe') check .
    $code = $LASTEXITCODE
    if ($code -eq 0) {
        Write-Host '[test] mypy core reading exports cli ui'
        & (Join-Path $Scripts 'mypy.exe') core reading exports cli ui
        $code = $LASTEXITCODE
    }
    if ($code -eq 0) {
        # 需要 LibreOffice 或 pdffonts 的测试（needs_tool 标记）在缺少时跳过并写明原因；
        # 设置环境变量 GOV_REPORT_REQUIRE_TOOLS=1 时改为失败（CI 的做法）。本脚本不自动安装它们。
        $office = Join-Path $env:ProgramFiles 'LibreOffice\program\soffice.exe'
        if (-not (Get-Command soffice -ErrorAction SilentlyContinue) -and -not (Test-Path $office)) {
            Write-Host '[test] 未找到 LibreOffice：需要它的测试将跳过。可从 https://www.libreoffice.org/download/ 下载安装（或 winget install TheDocumentFoundation.LibreOffice）。'
        }
        if (-not (Get-Command pdffonts -ErrorAction SilentlyContinue)) {
            Write-Host '[test] 未找到 pdffonts（poppler）：需要它的测试将跳过。Windows 版 poppler 可从 https://github.com/oschwartz10612/poppler-windows/releases 下载，解压后把其中的 Library\bin 加入 PATH。'
        }
        Write-Host '[test] pytest'
        & (Join-Path $Scripts 'python.exe') -m pytest -q @args
        $code = $LASTEXITCODE
    }
} finally {
    $env:QT_QPA_PLATFORM = $oldPlatform
    Pop-Location
}
exit $code
