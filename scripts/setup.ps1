# 政府信息公开年报助手：一键准备 Windows 上的运行与测试环境（可重复执行）。
#
#   powershell -ExecutionPolicy Bypass -File scripts\setup.ps1
#
# 1. 找到 Python 3.11+（先用 py 启动器，再找 python）；可用环境变量 PYTHON 指定解释器路径；
# 2. 在 .venv 创建虚拟环境；
# 3. pip install -e ".[test,ocr]"（ocr 是读取扫描件用的 onnxruntime 和 numpy，测试和 run.ps1 启动的程序都用它），
#    以 pyproject.toml 的 sha256 和安装方式作为标记，未变化时跳过。
# Windows 不需要额外的系统库。PDF 用的宋体、黑体、楷体、仿宋（simsun.ttc、simhei.ttf、simkai.ttf、
# simfang.ttf）和 Times New Roman（times.ttf）是 Windows 中文版自带的；其他语言的 Windows 要在
# “设置 → 应用 → 可选功能”中添加“中文(简体)补充字体”。方正小标宋简体是授权字体，本脚本不安装：
# 没有时标题用宋体，导出和打印时会说明（main.py fonts 列出每种用途用的字体）。
# 部分测试另需 LibreOffice（https://www.libreoffice.org/download/ ，装在默认位置即可）和 poppler 的
# pdffonts（https://github.com/oschwartz10612/poppler-windows/releases ，Library\bin 加入 PATH）；
# 本脚本不安装它们，缺少时这些测试跳过并说明原因（scripts\test.ps1 会提示）。
# 注意：本文件须保存为带 BOM 的 UTF-8，Windows PowerShell 5.1 才能正确读取中文。

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = Split-Path -Parent $PSScriptRoot
$Venv = Join-Path $Root '.venv'
$VPy = Join-Path $Venv 'Scripts\python.exe'
$VersionCheck = 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'

function Say([string]$Message) { Write-Host "[setup] $Message" }

function Fail([string]$Message) {
    Write-Host "[setup] 错误：$Message" -ForegroundColor Red
    Pop-Location
    exit 1
}

# 运行外部程序，返回是否以 0 退出。-Quiet 时丢弃全部输出，否则输出直接显示在控制台
# （不进入函数返回值，免得返回值变成数组）。
# （Windows PowerShell 5.1 在 Stop 模式下重定向原生程序的 stderr 会抛异常，这里临时放宽。）
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

function Find-Python {
    $candidates = New-Object System.Collections.Generic.List[object]
    if ($env:PYTHON) { $candidates.Add(@($env:PYTHON)) }
    foreach ($c in @('py -3', 'py -3.13', 'py -3.12', 'py -3.11', 'python', 'python3')) {
        $candidates.Add($c.Split(' '))
    }
    foreach ($cand in $candidates) {
        $exe = $cand[0]
        $rest = @($cand | Select-Object -Skip 1)
        if (-not (Get-Command $exe -ErrorAction SilentlyContinue)) { continue }
        if (Invoke-Native $exe ($rest + @('-c', $VersionCheck)) -Quiet) {
            return , $cand
        }
    }
    return $null
}

Push-Location $Root

# --- 虚拟环境 ---------------------------------------------------------------
$venvOk = (Test-Path $VPy) -and (Invoke-Native $VPy @('-c', $VersionCheck) -Quiet)
if (-not $venvOk) {
    if (Test-Path $Venv) {
        Say '.venv 不可用（解释器缺失或版本低于 3.11），将重新创建。'
        Remove-Item -Recurse -Force $Venv
    }
    $py = Find-Python
    if ($null -eq $py) {
        Fail '没有找到 Python 3.11 或更高版本。请从 python.org 安装 Python 3.11+（勾选 “py launcher”），或设置环境变量 PYTHON 为 python.exe 的完整路径后重试。'
    }
    $pyExe = $py[0]
    $pyRest = @($py | Select-Object -Skip 1)
    Say "用 $($py -join ' ') 创建 .venv …"
    if (-not (Invoke-Native $pyExe ($pyRest + @('-m', 'venv', $Venv)))) {
        Fail '创建虚拟环境失败。'
    }
}

# --- 安装依赖（pyproject.toml 未变时跳过）-------------------------------------
$hash = (Get-FileHash -Algorithm SHA256 -LiteralPath (Join-Path $Root 'pyproject.toml')).Hash.ToLowerInvariant()
$Extras = 'test,ocr'
$stamp = Join-Path $Venv ".installed-$hash-editable-compat-$($Extras -replace ',', '-')"  # the install mode and extras are part of the stamp

if (Test-Path $stamp) {
    Say '环境已就绪（.venv，依赖无变化，跳过安装）。'
    Pop-Location
    exit 0
}

# 可编辑安装（PEP 660）需要 pip >= 21.3；这里要求 >= 22，够新就不升级。
$pipCheck = "import sys, pip; sys.exit(0 if int(pip.__version__.split('.')[0]) >= 22 else 1)"
if (-not (Invoke-Native $VPy @('-c', $pipCheck) -Quiet)) {
    Say '升级 .venv 中的 pip …'
    if (-not (Invoke-Native $VPy @('-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--upgrade', 'pip'))) {
        Fail '升级 pip 失败。'
    }
}

Say "安装项目依赖（pip install -e `".[$Extras]`"），首次可能需要几分钟 …"
# editable_mode=compat: a plain .pth line instead of a finder imported at every start (see setup.sh).
if (-not (Invoke-Native $VPy @('-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-e', ".[$Extras]", '--config-settings', 'editable_mode=compat'))) {
    Fail 'pip 安装依赖失败，请查看上面的错误信息（网络、磁盘空间或 pyproject.toml）。'
}

Say '自检：导入依赖并在 offscreen 模式下用 Qt 绘制中文 …'
if (-not (Invoke-Native $VPy @((Join-Path $Root 'scripts\check_env.py')))) {
    Fail '环境自检失败，请查看上面的错误信息。'
}

Get-ChildItem -Path $Venv -Filter '.installed-*' -Force | Remove-Item -Force
New-Item -ItemType File -Path $stamp -Force | Out-Null
Say '环境已就绪。'
Pop-Location
exit 0
