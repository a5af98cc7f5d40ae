# 政府信息公开年报助手 @VERSION@：离线安装（Windows x64）。
#
# 用法：右键“使用 PowerShell 运行”，或双击 install.bat；也可：
#   powershell -ExecutionPolicy Bypass -File install.ps1 [-Target 安装位置] [-Ocr]
# 安装位置默认为 %LOCALAPPDATA%\gov-report\venv；可重复执行（已装的版本相同则不变，较旧则升级）。
# -Ocr（install.bat 后写 --ocr 也可）：同时安装读取扫描件的组件（onnxruntime、numpy；本安装包要用
# wheels.sh --ocr 生成）。
# 需要本机已有 Python 3.11 或 3.12（python.org 的安装程序，带 py 启动器）。只从本文件夹安装，不联网。
param(
    [string]$Target = "",
    [switch]$Ocr,
    [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest = @()
)
$ErrorActionPreference = "Stop"
$Kit = $PSScriptRoot

# install.bat passes its arguments as they were typed: "--ocr" (as install.sh takes it) and a folder,
# in any order, arrive as positional values.
$Given = @(@($Target) + @($Rest) | Where-Object { $_ })
$Target = ""
foreach ($Value in $Given) {
    if (@("--ocr", "-ocr", "/ocr") -contains $Value.ToLowerInvariant()) { $Ocr = [switch]$true } else { $Target = $Value }
}
if (-not $Target) { $Target = Join-Path $env:LOCALAPPDATA "gov-report\venv" }

function Fail([string]$Message) {
    Write-Host "错误：$Message" -ForegroundColor Red
    exit 1
}

# Python 3.11 或 3.12：本安装包只带这两个版本的组件。
function Test-Python([string[]]$Command) {
    try {
        $exe = $Command[0]
        $rest = @($Command | Select-Object -Skip 1)
        & $exe @rest -c "import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else 1)" 2>$null | Out-Null
        return ($LASTEXITCODE -eq 0)
    } catch {
        return $false
    }
}

if ($Ocr -and -not (Get-ChildItem -Path $Kit -Filter "onnxruntime-*.whl" -ErrorAction SilentlyContinue)) {
    Fail "本安装包不含扫描件识别组件（onnxruntime）：请用带扫描件识别的安装包（生成时 wheels.sh --ocr），或去掉 --ocr 安装。"
}

$Python = $null
foreach ($candidate in @(@("py", "-3.12"), @("py", "-3.11"), @("python"), @("py", "-3"))) {
    if (Test-Python $candidate) {
        $Python = $candidate
        break
    }
}
if ($null -eq $Python) {
    Fail "没有找到 Python 3.11 或 3.12。请先安装（python.org 的 Windows 安装程序，勾选 “Add python.exe to PATH”），或改用不需要 Python 的打包程序（gov-report 文件夹）。"
}

$VenvPython = Join-Path $Target "Scripts\python.exe"
if (-not ((Test-Path $VenvPython) -and (Test-Python @($VenvPython)))) {
    Write-Host "用 $($Python -join ' ') 在 $Target 创建虚拟环境 …"
    $exe = $Python[0]
    $rest = @($Python | Select-Object -Skip 1)
    & $exe @rest -m venv --clear $Target
    if ($LASTEXITCODE -ne 0) { Fail "无法在 $Target 创建虚拟环境（没有写入权限？）。" }
}

$What = if ($Ocr) { "gov-disclosure-annual-report[ocr]" } else { "gov-disclosure-annual-report" }
Write-Host "从 $Kit 安装（不联网）…"
& $VenvPython -m pip install --disable-pip-version-check --no-index --find-links $Kit --upgrade $What
if ($LASTEXITCODE -ne 0) { Fail "安装失败：本文件夹中的 wheel 不全或与本机不符（需要 Windows x64、Python 3.11 或 3.12）。" }

$Cli = Join-Path $Target "Scripts\gov-report.exe"
$Gui = Join-Path $Target "Scripts\gov-report-gui.exe"
& $Cli --help | Out-Null
if ($LASTEXITCODE -ne 0) { Fail "已安装，但 $Cli 无法运行。" }
if ($Ocr) {
    & $VenvPython -c "import sys; from reading.scan import ocr_available; sys.exit(0 if ocr_available() else 1)"
    if ($LASTEXITCODE -ne 0) { Fail "已安装，但扫描件识别组件无法使用（缺少 Visual C++ 运行库？）。" }
}

# 桌面快捷方式（打开程序，不带命令行窗口）。
try {
    $Desktop = [Environment]::GetFolderPath("Desktop")
    $Shell = New-Object -ComObject WScript.Shell
    $Link = $Shell.CreateShortcut((Join-Path $Desktop "政府信息公开年报助手.lnk"))
    $Link.TargetPath = $Gui
    $Link.WorkingDirectory = $env:USERPROFILE
    $Link.Save()
    $Shortcut = "已在桌面放了快捷方式“政府信息公开年报助手”。"
} catch {
    $Shortcut = "（未能在桌面放快捷方式。）"
}

Write-Host ""
Write-Host "安装完成：政府信息公开年报助手 @VERSION@"
if ($Ocr) { Write-Host "已安装扫描件识别（可以读取扫描的 PDF 和 JPG、PNG、TIFF 图片）" }
Write-Host "打开程序：          $Gui"
Write-Host "命令行（例如检查）：$Cli check 报告.docx"
Write-Host $Shortcut
Write-Host "卸载：删除文件夹    $Target（数据在 %LOCALAPPDATA%\gov-disclosure-annual-report，不会被删除）"
