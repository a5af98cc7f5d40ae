# 政府信息公开年报助手：在 Windows 上打包成不需要 Python 的单文件夹程序（PyInstaller）。
#
#   powershell -ExecutionPolicy Bypass -File scripts\bundle.ps1 [-Zip] [-Ocr]
#
# 生成 dist\gov-report\，其中有两个程序，共用同一个 _internal 文件夹：
#   gov-report.exe      图形界面程序（没有黑色控制台窗口）；从命令提示符带参数运行时，输出写到那个控制台，
#                       但 cmd.exe 不等它结束就显示下一个提示符（图形界面程序的通性）；
#   gov-report-cli.exe  命令行程序：cmd.exe 和脚本会等它结束，输出可以重定向，退出码可用 %ERRORLEVEL% 读取。
# 带图标（packaging\gov-report.ico）和版本信息（版本号取自 pyproject.toml，由 scripts\gov-report.spec 写入）。
# -Zip：再把文件夹压缩成 dist\gov-report-<版本>-win64.zip（Compress-Archive）。
# -Ocr：生成能读取扫描件的 dist\gov-report-ocr\（另带 onnxruntime、numpy 和 PP-OCRv4 识别模型；
#       .venv 中要已装 ".[ocr]"，scripts\setup.ps1 会装），-Zip 时压缩为 gov-report-<版本>-ocr-win64.zip。
#
# 用项目自己的 .venv（没有时先运行 scripts\setup.ps1）；其中没有 PyInstaller 时用 pip 安装（需要联网一次）。
# 打包规则与 Linux 相同，见 scripts\gov-report.spec。字体不打包：用 Windows 中文版自带的宋体、黑体、楷体、仿宋。
# 注意：本文件须保存为带 BOM 的 UTF-8，Windows PowerShell 5.1 才能正确读取中文。
# 本脚本尚未在 Windows 上实际运行过（见 README“离线安装”）。

param([switch]$Zip, [switch]$Ocr)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = Split-Path -Parent $PSScriptRoot
$VPy = Join-Path $Root '.venv\Scripts\python.exe'
$Dist = Join-Path $Root 'dist'
# The flavour (scripts\gov-report.spec reads GOV_REPORT_BUNDLE_OCR): the base one, or the one that reads scans.
$Flavour = if ($Ocr) { 'gov-report-ocr' } else { 'gov-report' }
$App = Join-Path $Dist $Flavour
$Work = Join-Path $Root $(if ($Ocr) { 'build\pyinstaller-ocr' } else { 'build\pyinstaller' })
$Spec = Join-Path $PSScriptRoot 'gov-report.spec'

function Say([string]$Message) { Write-Host "[bundle] $Message" }

function Fail([string]$Message) {
    Write-Host "[bundle] 错误：$Message" -ForegroundColor Red
    exit 1
}

# 运行外部程序，返回是否以 0 退出（Windows PowerShell 5.1 在 Stop 模式下重定向原生程序的 stderr 会抛异常，
# 这里临时放宽）。-Quiet 时丢弃全部输出。
function Invoke-Native([string]$Exe, [string[]]$Arguments, [switch]$Quiet) {
    $old = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        if ($Quiet) { & $Exe @Arguments *> $null } else { & $Exe @Arguments | Out-Host }
        return ($LASTEXITCODE -eq 0)
    } catch {
        return $false
    } finally {
        $ErrorActionPreference = $old
    }
}

if (-not (Test-Path $VPy)) {
    Say '没有 .venv，先运行 scripts\setup.ps1 …'
    & (Join-Path $PSScriptRoot 'setup.ps1')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    if (-not (Test-Path $VPy)) { Fail 'scripts\setup.ps1 没有创建 .venv。' }
}

if (-not (Invoke-Native $VPy @('-c', 'import PyInstaller') -Quiet)) {
    Say '在 .venv 中安装 PyInstaller（pip install "pyinstaller>=6"）…'
    $env:PIP_DISABLE_PIP_VERSION_CHECK = '1'
    if (-not (Invoke-Native $VPy @('-m', 'pip', 'install', '-q', 'pyinstaller>=6'))) {
        Fail '安装 PyInstaller 失败（需要联网；也可以 pip install ".[bundle]"）。'
    }
}

if ($Ocr -and -not (Invoke-Native $VPy @('-c', 'import onnxruntime, numpy') -Quiet)) {
    Fail '.venv 中没有 onnxruntime 和 numpy：先运行 scripts\setup.ps1（或 .venv\Scripts\pip install ".[ocr]"）。'
}

$Version = (& $VPy -c 'import tomllib, sys; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' (Join-Path $Root 'pyproject.toml')).Trim()

Say "PyInstaller 打包 dist\$Flavour\ …"
$watch = [Diagnostics.Stopwatch]::StartNew()
if (Test-Path $App) { Remove-Item -Recurse -Force $App }
$savedOcr = $env:GOV_REPORT_BUNDLE_OCR
$env:GOV_REPORT_BUNDLE_OCR = $(if ($Ocr) { '1' } else { '0' })
try {
    $built = Invoke-Native $VPy @('-m', 'PyInstaller', '--noconfirm', '--log-level', 'WARN', '--distpath', $Dist, '--workpath', $Work, $Spec)
} finally {
    $env:GOV_REPORT_BUNDLE_OCR = $savedOcr
}
if (-not $built) {
    Fail 'PyInstaller 打包失败，请查看上面的信息。'
}
$watch.Stop()

# The bundle must run on its own: the console program's help, with the venv out of the way.
$savedPath = $env:PATH
$savedVenv = $env:VIRTUAL_ENV
try {
    $env:PATH = "$env:SystemRoot\System32;$env:SystemRoot"
    $env:VIRTUAL_ENV = $null
    if (-not (Invoke-Native (Join-Path $App 'gov-report-cli.exe') @('--help') -Quiet)) {
        Fail "打包出的程序无法运行：$App\gov-report-cli.exe --help 失败。"
    }
} finally {
    $env:PATH = $savedPath
    $env:VIRTUAL_ENV = $savedVenv
}

$bytes = (Get-ChildItem -Recurse -File $App | Measure-Object -Sum Length).Sum
Say ("已生成 {0}（{1:N0} MB，用时 {2:N0} 秒）。" -f $App, ($bytes / 1MB), $watch.Elapsed.TotalSeconds)

if ($Zip) {
    $zipPath = Join-Path $Dist $(if ($Ocr) { "gov-report-$Version-ocr-win64.zip" } else { "gov-report-$Version-win64.zip" })
    if (Test-Path $zipPath) { Remove-Item -Force $zipPath }
    Say "压缩为 $zipPath …"
    Compress-Archive -Path $App -DestinationPath $zipPath -CompressionLevel Optimal
    Say ("已生成 {0}（{1:N0} MB）。" -f $zipPath, ((Get-Item $zipPath).Length / 1MB))
}
exit 0
