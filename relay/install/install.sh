#!/bin/sh
# chaoxing-relay installer for Linux, macOS and Android (Termux), served by the deployment at
# /relay/install.sh (README "Run the relay"). One line, from the dashboard's Relay page:
#
#   curl -fsSL https://<deployment>/relay/install.sh | sh -s -- --url https://<deployment> --pair ABCD-2345
#
# It checks for Node.js @MIN_NODE@ or later (installs Node.js @NODE_LTS@ LTS for this user if there is none),
# downloads the agent and checks it against the SHA-256 this file was built with, pairs with the code,
# and sets up the start at boot the system allows: a systemd user unit (Linux), a launchd agent (macOS),
# a Termux:Boot script (Android); elsewhere it starts the agent in the background and says how to keep it.
# Without --pair it updates an agent that is already paired. Everything goes in ~/.chaoxing-relay.
#
# Options: --url URL (required), --pair CODE, --name NAME, --lang zh|en, --no-service (start in the
# background only), --dev-allow-loopback ORIGIN (development: the local simulator's origin). Environment: NODE_MIRROR
# (where Node.js is downloaded from, default https://nodejs.org/dist; e.g. https://npmmirror.com/mirrors/node),
# CHAOXING_RELAY_HOME (instead of ~/.chaoxing-relay).
set -eu

AGENT_SHA256="@AGENT_SHA256@"
AGENT_VERSION="@AGENT_VERSION@"
MIN_NODE="@MIN_NODE@"
NODE_LTS="@NODE_LTS@"

URL="" PAIR="" NAME="" LANG_OPT="" NO_SERVICE="" DEV=""
while [ $# -gt 0 ]; do
  case "$1" in
    --url) URL="${2:-}"; shift 2 ;;
    --pair) PAIR="${2:-}"; shift 2 ;;
    --name) NAME="${2:-}"; shift 2 ;;
    --lang) LANG_OPT="${2:-}"; shift 2 ;;
    --no-service) NO_SERVICE=1; shift ;;
    --dev-allow-loopback) DEV="${2:-}"; shift 2 ;;
    *) echo "chaoxing-relay installer: unknown option $1" >&2; exit 64 ;;
  esac
done

case "${LANG_OPT:-${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}}" in zh*) ZH=1 ;; *) ZH="" ;; esac
# say "中文" "English": one line in the user's language.
say() { if [ -n "$ZH" ]; then printf '%s\n' "$1"; else printf '%s\n' "$2"; fi; }
die() { say "错误：$1" "Error: $2" >&2; exit "${3:-1}"; }

[ -n "$URL" ] || die "缺少 --url（复制「中继」页上的整行命令）" "--url is missing (copy the whole line from the Relay page)" 64
URL="${URL%/}"
HOME_DIR="${CHAOXING_RELAY_HOME:-$HOME/.chaoxing-relay}"
HOST=$(printf '%s' "$URL" | sed -e 's|^[a-z]*://||' -e 's|/.*$||' -e 's|[^A-Za-z0-9.-]|_|g')
STATE="$HOME_DIR/$HOST.json"
AGENT="$HOME_DIR/chaoxing-relay.mjs"
mkdir -p "$HOME_DIR"
chmod 700 "$HOME_DIR"

OS=$(uname -s)
if [ -n "${TERMUX_VERSION:-}" ] || [ -d /data/data/com.termux/files ]; then PLATFORM=termux
elif [ "$OS" = Darwin ]; then PLATFORM=macos
else PLATFORM=linux
fi

fetch() { # fetch URL FILE
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
  else die "需要 curl 或 wget" "curl or wget is needed"
  fi
}

# ---- 1. Node.js ------------------------------------------------------------------------------------
node_ok() { # node_ok BINARY: at least MIN_NODE
  [ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || return 1
  "$1" -e 'const [a,b,c]=process.versions.node.split(".").map(Number),[x,y,z]=process.argv[1].split(".").map(Number);process.exit(a>x||(a===x&&(b>y||(b===y&&c>=z)))?0:1)' "$MIN_NODE" 2>/dev/null
}

NODE=""
for candidate in "$HOME_DIR/node/bin/node" node nodejs; do
  if node_ok "$candidate"; then NODE=$(command -v "$candidate" 2>/dev/null || printf '%s' "$candidate"); break; fi
done

install_node() {
  if [ "$PLATFORM" = termux ]; then
    say "正在安装 Node.js（pkg install nodejs-lts）…" "Installing Node.js (pkg install nodejs-lts)…"
    pkg install -y nodejs-lts >/dev/null
    return
  fi
  case "$(uname -m)" in
    x86_64|amd64) ARCH=x64 ;;
    aarch64|arm64) ARCH=arm64 ;;
    armv7l) ARCH=armv7l ;;
    *) die "不支持的处理器 $(uname -m)：请自行安装 Node.js $MIN_NODE 或更新版本后再运行本命令" "unsupported processor $(uname -m): install Node.js $MIN_NODE or later yourself, then run this line again" ;;
  esac
  case "$PLATFORM" in macos) SYS=darwin ;; *) SYS=linux ;; esac
  MIRROR="${NODE_MIRROR:-https://nodejs.org/dist}"
  say "正在下载 Node.js $NODE_LTS LTS（$MIRROR）…" "Downloading Node.js $NODE_LTS LTS ($MIRROR)…"
  TMP=$(mktemp -d)
  fetch "$MIRROR/latest-v$NODE_LTS.x/SHASUMS256.txt" "$TMP/SHASUMS256.txt" || die "无法下载 Node.js：请设置 NODE_MIRROR（如 https://npmmirror.com/mirrors/node）或自行安装" "cannot download Node.js: set NODE_MIRROR (e.g. https://npmmirror.com/mirrors/node) or install it yourself"
  LINE=$(grep "node-v[0-9.]*-$SYS-$ARCH.tar.gz\$" "$TMP/SHASUMS256.txt" | head -n 1)
  [ -n "$LINE" ] || die "下载源没有 $SYS-$ARCH 的 Node.js" "the mirror has no Node.js for $SYS-$ARCH"
  FILE=${LINE##* }
  fetch "$MIRROR/latest-v$NODE_LTS.x/$FILE" "$TMP/$FILE"
  [ "$(sha256 "$TMP/$FILE")" = "${LINE%% *}" ] || die "Node.js 下载校验失败" "the Node.js download failed its checksum"
  rm -rf "$HOME_DIR/node" && mkdir -p "$HOME_DIR/node"
  tar -xzf "$TMP/$FILE" -C "$HOME_DIR/node" --strip-components 1
  rm -rf "$TMP"
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d ' ' -f 1
  elif [ -n "$NODE" ]; then "$NODE" -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' "$1"
  else die "需要 sha256sum 或 shasum" "sha256sum or shasum is needed"
  fi
}

if [ -z "$NODE" ]; then
  install_node
  for candidate in "$HOME_DIR/node/bin/node" node; do
    if node_ok "$candidate"; then NODE=$(command -v "$candidate" 2>/dev/null || printf '%s' "$candidate"); break; fi
  done
  [ -n "$NODE" ] || die "没有可用的 Node.js $MIN_NODE 或更新版本" "no Node.js $MIN_NODE or later is available"
fi
say "Node.js：$NODE（$("$NODE" --version)）" "Node.js: $NODE ($("$NODE" --version))"

# ---- 2. the agent, checked ---------------------------------------------------------------------------
fetch "$URL/relay/chaoxing-relay.mjs" "$AGENT.new" || die "无法从 $URL 下载中继程序" "cannot download the relay from $URL"
GOT=$(sha256 "$AGENT.new")
if [ "$GOT" != "$AGENT_SHA256" ]; then
  rm -f "$AGENT.new"
  die "中继程序校验失败（期望 $AGENT_SHA256，得到 $GOT）：没有安装" "the relay failed its checksum (expected $AGENT_SHA256, got $GOT): nothing installed"
fi
mv "$AGENT.new" "$AGENT"
say "中继程序 $AGENT_VERSION 已校验（sha256 $AGENT_SHA256）" "relay $AGENT_VERSION verified (sha256 $AGENT_SHA256)"

# ---- 3. pairing ----------------------------------------------------------------------------------------
set -- --url "$URL" --state "$STATE"
[ -n "$DEV" ] && set -- "$@" --dev-allow-loopback "$DEV"
[ -n "$LANG_OPT" ] && set -- "$@" --lang "$LANG_OPT"
RUN_ARGS=""
for a in "$@"; do RUN_ARGS="$RUN_ARGS '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"; done
if [ -n "$PAIR" ]; then
  if [ -n "$NAME" ]; then "$NODE" "$AGENT" "$@" --pair "$PAIR" --pair-only --name "$NAME"
  else "$NODE" "$AGENT" "$@" --pair "$PAIR" --pair-only
  fi
elif [ ! -f "$STATE" ]; then
  die "还没有配对：在「中继」页生成配对码，复制带 --pair 的整行命令" "not paired yet: create a code on the Relay page and copy the whole line with --pair" 64
fi

# ---- 4. start, and start at boot ----------------------------------------------------------------------
# The loop every supervisor-less start uses: a deliberate exit (0 stopped, 64 usage, 77 revoked, replaced
# or unsupported) ends it; anything else is retried after 10 s.
cat > "$HOME_DIR/run.sh" <<EOF
#!/bin/sh
# Written by the chaoxing-relay installer. Restarts the relay unless it stopped on purpose.
trap 'kill \$child 2>/dev/null; exit 0' TERM INT HUP
while :; do
  "$NODE" "$AGENT" $RUN_ARGS &
  child=\$!
  wait \$child
  code=\$?
  case \$code in 0|64|77) exit \$code ;; esac
  sleep 10
done
EOF
chmod 700 "$HOME_DIR/run.sh"
LOG="$HOME_DIR/relay.log"

start_background() {
  if [ -f "$HOME_DIR/relay.pid" ] && kill -0 "$(cat "$HOME_DIR/relay.pid")" 2>/dev/null; then kill "$(cat "$HOME_DIR/relay.pid")" 2>/dev/null || true; sleep 1; fi
  nohup sh "$HOME_DIR/run.sh" >>"$LOG" 2>&1 &
  echo $! >"$HOME_DIR/relay.pid"
  say "中继已在后台运行（日志：$LOG；停止：kill \$(cat $HOME_DIR/relay.pid)）" "the relay runs in the background (log: $LOG; stop: kill \$(cat $HOME_DIR/relay.pid))"
}

if [ -n "$NO_SERVICE" ]; then
  start_background
elif [ "$PLATFORM" = termux ]; then
  mkdir -p "$HOME/.termux/boot"
  cat > "$HOME/.termux/boot/chaoxing-relay" <<EOF
#!/data/data/com.termux/files/usr/bin/sh
termux-wake-lock
exec sh "$HOME_DIR/run.sh" >>"$LOG" 2>&1
EOF
  chmod 700 "$HOME/.termux/boot/chaoxing-relay"
  command -v termux-wake-lock >/dev/null 2>&1 && termux-wake-lock || true
  start_background
  say "开机自启：安装 Termux:Boot（F-Droid）并打开一次。" "Start at boot: install Termux:Boot (F-Droid) and open it once."
  say "手机会在后台杀掉 Termux：在 设置 → 应用 → Termux（和 Termux:Boot）→ 电池 里选「不限制/无限制」，关闭电池优化；国产系统还要允许「自启动」和「后台运行」，并在最近任务里锁定 Termux。" \
      "Phones kill Termux in the background: in Settings → Apps → Termux (and Termux:Boot) → Battery choose \"Unrestricted\" (turn battery optimisation off); on some brands also allow auto-start and background activity, and lock Termux in the recent apps."
elif [ "$PLATFORM" = macos ]; then
  PLIST="$HOME/Library/LaunchAgents/com.chaoxing-edge.relay.plist"
  mkdir -p "$HOME/Library/LaunchAgents"
  cat > "$PLIST" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>Label</key><string>com.chaoxing-edge.relay</string>
  <key>ProgramArguments</key><array><string>/bin/sh</string><string>$HOME_DIR/run.sh</string></array>
  <key>RunAtLoad</key><true/>
  <key>StandardOutPath</key><string>$LOG</string>
  <key>StandardErrorPath</key><string>$LOG</string>
</dict></plist>
EOF
  launchctl unload "$PLIST" 2>/dev/null || true
  launchctl load -w "$PLIST"
  say "已设置登录后自动启动（launchd：$PLIST；停止：launchctl unload $PLIST）" "starts at login (launchd: $PLIST; stop: launchctl unload $PLIST)"
elif command -v systemctl >/dev/null 2>&1 && systemctl --user show-environment >/dev/null 2>&1; then
  UNIT="$HOME/.config/systemd/user/chaoxing-relay.service"
  mkdir -p "$(dirname "$UNIT")"
  cat > "$UNIT" <<EOF
[Unit]
Description=chaoxing-relay: your Chaoxing requests through this machine
After=network-online.target

[Service]
ExecStart="$NODE" "$AGENT" $RUN_ARGS
# 0 stopped, 64 usage, 77 revoked/replaced/unsupported: deliberate, never restarted; anything else is.
Restart=on-failure
RestartSec=10
RestartPreventExitStatus=64 77

[Install]
WantedBy=default.target
EOF
  systemctl --user daemon-reload
  systemctl --user enable --now chaoxing-relay.service >/dev/null
  systemctl --user restart chaoxing-relay.service
  say "已作为 systemd 用户服务运行（状态：systemctl --user status chaoxing-relay；日志：journalctl --user -u chaoxing-relay）" "runs as a systemd user service (status: systemctl --user status chaoxing-relay; log: journalctl --user -u chaoxing-relay)"
  say "未登录时也要运行（开机即启动）：loginctl enable-linger $(id -un)" "to run while you are not logged in (from boot): loginctl enable-linger $(id -un)"
else
  start_background
  say "开机自启：crontab -e 加一行 @reboot sh $HOME_DIR/run.sh >>$LOG 2>&1" "start at boot: crontab -e and add @reboot sh $HOME_DIR/run.sh >>$LOG 2>&1"
fi
say "完成。网页「中继」页会显示它在线。" "Done. The Relay page shows it online."
