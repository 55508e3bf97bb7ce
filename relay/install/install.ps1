# chaoxing-relay installer for Windows, served by the deployment at /relay/install.ps1 (README "Run the
# relay"). One line in PowerShell or cmd, from the dashboard's Relay page:
#
#   powershell -NoProfile -ExecutionPolicy Bypass -Command "& ([scriptblock]::Create((irm 'https://<deployment>/relay/install.ps1'))) -Url 'https://<deployment>' -Pair 'ABCD-2345'"
#
# It checks for Node.js @MIN_NODE@ or later (installs Node.js @NODE_LTS@ LTS with winget, or for this user
# from NODE_MIRROR / nodejs.org), downloads the agent and checks it against the SHA-256 this file was built
# with, pairs with the code, and registers a scheduled task that starts it at logon and restarts it unless
# it stopped on purpose. Without -Pair it updates an agent that is already paired. Everything goes in
# %LOCALAPPDATA%\chaoxing-relay.
param(
  [Parameter(Mandatory = $true)][string]$Url,
  [string]$Pair = "",
  [string]$Name = "",
  [ValidateSet("", "zh", "en")][string]$Lang = "",
  [switch]$NoService,
  [string]$DevAllowLoopback = ""
)
$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue"
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12

$AgentSha256 = "@AGENT_SHA256@"
$AgentVersion = "@AGENT_VERSION@"
$MinNode = [version]"@MIN_NODE@"
$NodeLts = "@NODE_LTS@"

$Zh = if ($Lang) { $Lang -eq "zh" } else { (Get-Culture).Name -like "zh*" }
function Say([string]$zh, [string]$en) { if ($Zh) { Write-Host $zh } else { Write-Host $en } }
function Die([string]$zh, [string]$en, [int]$code = 1) { if ($Zh) { Write-Error "错误：$zh" -ErrorAction Continue } else { Write-Error "Error: $en" -ErrorAction Continue }; exit $code }

$Url = $Url.TrimEnd("/")
$Dir = Join-Path $env:LOCALAPPDATA "chaoxing-relay"
New-Item -ItemType Directory -Force -Path $Dir | Out-Null
$HostName = ([uri]$Url).Authority -replace "[^A-Za-z0-9.-]", "_"
$State = Join-Path $Dir "$HostName.json"
$Agent = Join-Path $Dir "chaoxing-relay.mjs"

# ---- 1. Node.js ------------------------------------------------------------------------------------
function Find-Node {
  foreach ($candidate in @((Join-Path $Dir "node\node.exe"), "node")) {
    $cmd = Get-Command $candidate -ErrorAction SilentlyContinue
    if (-not $cmd) { continue }
    $v = (& $cmd.Source --version) -replace "^v", ""
    if ([version]$v -ge $MinNode) { return $cmd.Source }
  }
  return $null
}
$Node = Find-Node
if (-not $Node) {
  if (Get-Command winget -ErrorAction SilentlyContinue) {
    Say "正在用 winget 安装 Node.js LTS…" "Installing Node.js LTS with winget…"
    winget install --id OpenJS.NodeJS.LTS --exact --silent --accept-package-agreements --accept-source-agreements | Out-Null
    $env:Path = [Environment]::GetEnvironmentVariable("Path", "Machine") + ";" + [Environment]::GetEnvironmentVariable("Path", "User")
    $Node = Find-Node
  }
  if (-not $Node) {
    $Mirror = if ($env:NODE_MIRROR) { $env:NODE_MIRROR } else { "https://nodejs.org/dist" }
    $Arch = if ($env:PROCESSOR_ARCHITECTURE -eq "ARM64") { "arm64" } else { "x64" }
    Say "正在下载 Node.js $NodeLts LTS（$Mirror）…" "Downloading Node.js $NodeLts LTS ($Mirror)…"
    $Sums = (Invoke-WebRequest -UseBasicParsing "$Mirror/latest-v$NodeLts.x/SHASUMS256.txt").Content -split "`n"
    $Line = $Sums | Where-Object { $_ -match "node-v[0-9.]+-win-$Arch\.zip$" } | Select-Object -First 1
    if (-not $Line) { Die "下载源没有 win-$Arch 的 Node.js" "the mirror has no Node.js for win-$Arch" }
    $Hash, $File = $Line -split "\s+"
    $Zip = Join-Path $env:TEMP $File
    Invoke-WebRequest -UseBasicParsing "$Mirror/latest-v$NodeLts.x/$File" -OutFile $Zip
    if ((Get-FileHash -Algorithm SHA256 $Zip).Hash.ToLower() -ne $Hash.ToLower()) { Die "Node.js 下载校验失败" "the Node.js download failed its checksum" }
    $Unpacked = Join-Path $env:TEMP "chaoxing-relay-node"
    Remove-Item -Recurse -Force $Unpacked -ErrorAction SilentlyContinue
    Expand-Archive -Path $Zip -DestinationPath $Unpacked
    Remove-Item -Recurse -Force (Join-Path $Dir "node") -ErrorAction SilentlyContinue
    Move-Item (Get-ChildItem $Unpacked | Select-Object -First 1).FullName (Join-Path $Dir "node")
    $Node = Find-Node
  }
  if (-not $Node) { Die "没有可用的 Node.js $MinNode 或更新版本" "no Node.js $MinNode or later is available" }
}
Say "Node.js：$Node（$(& $Node --version)）" "Node.js: $Node ($(& $Node --version))"

# ---- 2. the agent, checked ---------------------------------------------------------------------------
$New = "$Agent.new"
Invoke-WebRequest -UseBasicParsing "$Url/relay/chaoxing-relay.mjs" -OutFile $New
$Got = (Get-FileHash -Algorithm SHA256 $New).Hash.ToLower()
if ($Got -ne $AgentSha256) {
  Remove-Item -Force $New
  Die "中继程序校验失败（期望 $AgentSha256，得到 $Got）：没有安装" "the relay failed its checksum (expected $AgentSha256, got $Got): nothing installed"
}
Move-Item -Force $New $Agent
Say "中继程序 $AgentVersion 已校验（sha256 $AgentSha256）" "relay $AgentVersion verified (sha256 $AgentSha256)"

# ---- 3. pairing ----------------------------------------------------------------------------------------
$RunArgs = @("--url", $Url, "--state", $State)
if ($DevAllowLoopback) { $RunArgs += @("--dev-allow-loopback", $DevAllowLoopback) }
if ($Lang) { $RunArgs += @("--lang", $Lang) }
if ($Pair) {
  $PairArgs = $RunArgs + @("--pair", $Pair, "--pair-only")
  if ($Name) { $PairArgs += @("--name", $Name) }
  & $Node $Agent @PairArgs
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
} elseif (-not (Test-Path $State)) {
  Die "还没有配对：在「中继」页生成配对码，复制带 -Pair 的整行命令" "not paired yet: create a code on the Relay page and copy the whole line with -Pair" 64
}

# ---- 4. start, and start at logon ---------------------------------------------------------------------
# A deliberate exit (0 stopped, 64 usage, 77 revoked, replaced or unsupported) ends the loop; anything
# else is retried after 10 s.
$Quoted = ($RunArgs | ForEach-Object { "'" + ($_ -replace "'", "''") + "'" }) -join ", "
$Run = Join-Path $Dir "run.ps1"
@"
# Written by the chaoxing-relay installer. Restarts the relay unless it stopped on purpose.
`$log = '$(Join-Path $Dir "relay.log")'
while (`$true) {
  & '$Node' '$Agent' @($Quoted) *>> `$log
  if (@(0, 64, 77) -contains `$LASTEXITCODE) { exit `$LASTEXITCODE }
  Start-Sleep -Seconds 10
}
"@ | Set-Content -Encoding UTF8 $Run

$Action = New-ScheduledTaskAction -Execute "powershell.exe" -Argument "-NoProfile -WindowStyle Hidden -ExecutionPolicy Bypass -File `"$Run`""
if ($NoService) {
  Start-Process powershell.exe -WindowStyle Hidden -ArgumentList "-NoProfile", "-ExecutionPolicy", "Bypass", "-File", "`"$Run`""
  Say "中继已在后台运行（日志：$Dir\relay.log）" "the relay runs in the background (log: $Dir\relay.log)"
} else {
  $Trigger = New-ScheduledTaskTrigger -AtLogOn -User $env:USERNAME
  $Settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -ExecutionTimeLimit ([TimeSpan]::Zero) -StartWhenAvailable
  Register-ScheduledTask -TaskName "chaoxing-relay" -Action $Action -Trigger $Trigger -Settings $Settings -Force | Out-Null
  Start-ScheduledTask -TaskName "chaoxing-relay"
  Say "已设置登录后自动启动（计划任务 chaoxing-relay；停止：Stop-ScheduledTask chaoxing-relay；日志：$Dir\relay.log）" "starts at logon (scheduled task chaoxing-relay; stop: Stop-ScheduledTask chaoxing-relay; log: $Dir\relay.log)"
  Say "笔记本电脑：在「电源和睡眠」里让接通电源时不睡眠，否则睡眠期间中继离线、任务暂停。" "Laptops: in Power & sleep, keep it awake while plugged in; while it sleeps the relay is offline and tasks pause."
}
Say "完成。网页「中继」页会显示它在线。" "Done. The Relay page shows it online."
