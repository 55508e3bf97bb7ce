/** The frame every page shares: the app's name and error page, the menu, the live connection, offline and session notices, durations. */
export const shell = {
  "app.name": "学习通助手",
  "app.free": "本软件完全免费，如果你为它付了钱，你被骗了。",
  "app.skip": "跳到主要内容",
  "app.notFound": "页面不存在",
  "app.back": "返回首页",
  "app.forbidden": "需要管理员权限",
  "app.error": "页面出错了",
  "app.retry": "重试",

  "nav.overview": "概览",
  "nav.courses": "课程",
  "nav.tasks": "任务",
  "nav.settings": "设置",
  "nav.profile": "个人中心",
  "nav.admin": "管理",
  "nav.adminOverview": "管理概览",
  "nav.adminUsers": "用户管理",
  "nav.adminTasks": "全部任务",
  "nav.adminStats": "统计",
  "nav.adminDiagnostics": "诊断",
  "nav.adminAudit": "审计日志",
  "nav.logout": "退出登录",
  "nav.menu": "菜单",
  "nav.theme": "切换明暗主题",
  "nav.lang": "语言 / Language",

  "live.open": "实时连接正常",
  "live.connecting": "正在连接…",
  "live.reconnecting": "连接断开，{s} 秒后重连",
  "live.idle": "未连接",
  "live.reconnectNow": "立即重连",

  "nav.relay": "中继",

  "app.errorBody": "页面遇到了意外的错误。可以重试；如果反复出现，请把下面的详情告诉管理员。",
  "app.errorChunk": "页面文件加载失败，可能刚发布了新版本。请重新加载。",
  "app.errorDetails": "错误详情",
  "app.more": "更多操作",
  "app.showOriginal": "查看服务器原文（中文）",

  "common.id": "编号",

  "live.offline": "离线",

  "offline.title": "你已离线",
  "offline.body": "现在的操作会立即失败，不会在恢复网络后自动执行；页面上的进度可能不是最新的。联网后会自动重新连接。",
  "offline.socket": "实时连接中断，正在重连；进度可能不是最新的",
  "offline.page": "这个页面还没有加载过，需要联网才能打开。恢复网络后会自动重新加载。",

  "session.ended": "登录状态已失效，请重新登录。",
  "session.token_expired": "登录已过期，请重新登录。",
  "session.token_revoked": "你已在其他地方退出登录（或登录已被撤销），请重新登录。",
  "session.password_changed": "账号密码已修改，请用新密码登录。",
  "session.account_disabled": "你的账号已被管理员停用。如有疑问请联系管理员。",

  "time.seconds": "{s} 秒",
  "time.minutes": "约 {m} 分钟",
  "time.hours": "约 {h} 小时 {m} 分钟",
  "offline.lastUpdated": "最后更新于 {when}：现在连不上服务器，显示的是那时的数据（操作会失败）",
  "offline.refreshing": "显示的是 {when} 的数据，正在更新…",
} as const;
