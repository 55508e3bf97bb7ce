import type { SimChapterSpec, SimCourseSpec, SimJobSpec } from "./model";

/** The seed's own example account (seed-api.md). */
export const DEMO_PHONE = "13800138000";
export const DEMO_PASSWORD = "your_password";
/**
 * The demo account is rolled back overnight as 2026's reports describe (protocol "Corrections of 2026-12",
 * item 6): after about 20–24 h of video in a day (one user at 20 h), or videos played concurrently.
 * [unverified] the threshold: 16 h, below the 20 h that was still rolled back.
 */
export const DEMO_ROLLBACK = { dailyMediaS: 16 * 3600 };

/**
 * Short courses (media of tens of seconds, so a local demo finishes in minutes) spreading the special
 * cases between them (the platform as it is in 2026 and its corrections of 2026-12: a school that forbids
 * fast playback and one that allows it over a video's own `doublespeed: 0`, a video still transcoding, a
 * clip, a task point that appears after the one before it, a read card without a `job` key, a chapter of
 * eight tabs, the face-capture page, a course that captures as the real mArg does, one whose chapter page
 * carries the face masks, a course in two classes one of which ended, a live replay and a live not yet
 * started, a course that checks real time strictly), plus one realistic course. Classes show their period
 * (开课时间) relative to the day the account is made.
 */
export const DEMO_COURSES: SimCourseSpec[] = [
  {
    name: "大学生心理健康教育",
    teacher: "李静",
    period: { from: -60, to: 40 },
    schooldoublespeed: 0,
    chapters: [
      {
        unit: "第一章 心理健康导论",
        title: "1.1 什么是心理健康",
        tabs: [[{ type: "video", name: "1.1 什么是心理健康.mp4", duration: 30 }, { type: "document", name: "心理健康的标准.pdf" }]],
      },
      { unit: "第一章 心理健康导论", title: "1.2 大学生常见心理困扰", tabs: [[{ type: "video", name: "1.2 常见心理困扰.mp4", duration: 45 }]] },
      {
        unit: "第二章 情绪管理",
        title: "2.1 认识情绪",
        tabs: [[{ type: "read", name: "情绪的ABC理论" }, { type: "video", name: "2.1 认识情绪.mp4", duration: 40, rt: "1", rtIn: "property" }]],
      },
    ],
  },
  {
    name: "马克思主义基本原理",
    teacher: "张卫东",
    period: { from: -60, to: 40 },
    sequential: true,
    chapters: [
      {
        unit: "导论",
        title: "0.1 马克思主义是什么",
        tabs: [[
          { type: "video", name: "0.1 马克思主义是什么.mp4", duration: 35 },
          { type: "document", name: "0.1 课后阅读.pdf", afterPrevious: true },
        ]],
      },
      { unit: "导论", title: "0.2 学习导读" },
      {
        unit: "第一章 世界的物质性及发展规律",
        title: "1.1 物质及其存在方式",
        tabs: [[{ type: "audio", name: "1.1 物质及其存在方式.mp3", duration: 30 }, { type: "document", name: "物质观讲义.pdf" }]],
      },
      {
        unit: "第一章 世界的物质性及发展规律",
        title: "1.2 章节测验",
        tabs: [[{ type: "read", name: "唯物辩证法选读" }, { type: "quiz", name: "第一章 章节测验" }]],
      },
      { unit: "第二章 实践与认识及其发展规律", title: "2.1 实践与认识", notOpen: true, tabs: [[{ type: "video", name: "2.1 实践与认识.mp4", duration: 40 }]] },
    ],
  },
  {
    name: "大学计算机基础",
    teacher: "陈晓明",
    period: { from: -60, to: 40 },
    folder: "专业基础课",
    chapters: [
      {
        unit: "第一章 计算机概述",
        title: "1.1 计算机的发展",
        tabs: [
          [{ type: "video", name: "1.1 计算机的发展.mp4", duration: 30, rtIn: "none", rt: "1" }],
          [{ type: "video", name: "1.1 补充：ENIAC.mp4", duration: 20, transcoding: true }, { type: "document", name: "计算机发展简史.pptx" }],
        ],
      },
      {
        unit: "第一章 计算机概述",
        title: "1.2 数制与编码",
        tabs: [[{ type: "video", name: "1.2 数制与编码.mp4", duration: 50, doublespeed: 0, clip: [5, 45] }]],
      },
      {
        // Eight tabs: the task point on the last one is missed by a client that probes tabs 0–6 blind.
        unit: "第一章 计算机概述",
        title: "1.3 计算机系统组成",
        tabs: [
          [{ type: "video", name: "1.3 计算机系统组成.mp4", duration: 20 }],
          [], [], [], [], [], [],
          [{ type: "document", name: "1.3 课后习题.pdf" }],
        ],
      },
    ],
  },
  {
    name: "军事理论",
    teacher: "刘志强",
    period: { from: -60, to: 40 },
    faceCheck: "page",
    chapters: [{ unit: "第一章 中国国防", title: "1.1 国防概述", tabs: [[{ type: "video", name: "1.1 国防概述.mp4", duration: 30 }]] }],
  },
  {
    // One course in two classes (reference CLI #604), the earlier one ended; the school allows fast
    // playback, overriding the video's own `doublespeed: 0` as the player does.
    name: "中国近现代史纲要",
    teacher: "周明",
    classes: [{ name: "2025秋季学期", state: 1, period: { from: -200, to: -10 } }, { name: "2026春季学期", period: { from: -20, to: 160 } }],
    schooldoublespeed: 1,
    chapters: [{ unit: "综述", title: "风云变幻的八十年", tabs: [[{ type: "video", name: "综述.mp4", duration: 30, doublespeed: 0 }]] }],
  },
  {
    name: "数据结构",
    teacher: "吴海燕",
    notOpen: true,
    chapters: [{ unit: "第一章 绪论", title: "1.1 基本概念", tabs: [[{ type: "video", name: "1.1 基本概念.mp4", duration: 30 }]] }],
  },
  {
    // A course that checks real time strictly (protocol "Corrections of 2026-12", item 5): the end position
    // credits nothing, so a video reached too fast must be watched again from the start.
    name: "思想道德与法治",
    teacher: "王磊",
    strictRealTime: true,
    chapters: [{ unit: "绪论", title: "0.1 担当复兴大任", tabs: [[{ type: "video", name: "0.1 担当复兴大任.mp4", duration: 40 }]] }],
  },
  {
    // The capture fields of a real mArg: no face gate, but a capture 658 s into the video.
    name: "形势与政策",
    teacher: "王建国",
    faceCheck: "capture",
    chapters: [{ unit: "第一讲 国内形势", title: "1.1 新发展阶段", tabs: [[{ type: "video", name: "1.1 新发展阶段.mp4", duration: 725 }]] }],
  },
  {
    name: "创新创业基础",
    teacher: "赵敏",
    faceCheck: "mask",
    chapters: [{ unit: "第一章 创新思维", title: "1.1 什么是创新", tabs: [[{ type: "video", name: "1.1 什么是创新.mp4", duration: 30 }]] }],
  },
  {
    name: "中华优秀传统文化",
    teacher: "钱文",
    chapters: [
      { unit: "专题讲座", title: "第一讲 礼乐文明（直播回看）", tabs: [[{ type: "live", name: "礼乐文明 直播", duration: 180 }]] },
      { unit: "专题讲座", title: "第二讲 诗词之美（直播预告）", tabs: [[{ type: "live", name: "诗词之美 直播", duration: 3600, notStarted: true }]] },
    ],
  },
  realisticCourse(),
];

/** 高等数学（上）: 8 units of 4 sections with 18–44 minute lectures (≈ 20 hours of video). */
function realisticCourse(): SimCourseSpec {
  const units = ["函数与极限", "导数与微分", "微分中值定理与导数的应用", "不定积分", "定积分", "定积分的应用", "微分方程", "向量代数与空间解析几何"];
  const chapters: SimChapterSpec[] = [];
  units.forEach((u, i) => {
    for (let s = 1; s <= 4; s++) {
      const minutes = 18 + ((i * 7 + s * 11) % 27);
      const title = `${i + 1}.${s} ${u}（${["一", "二", "三", "四"][s - 1]}）`;
      const tab: SimJobSpec[] = [{ type: "video", name: `${title}.mp4`, duration: minutes * 60 + s * 13 }];
      if (s === 4) tab.push({ type: "document", name: `第${i + 1}章 习题课讲义.pdf` });
      chapters.push({ unit: `第${i + 1}章 ${u}`, title, tabs: [tab] });
    }
  });
  // Its class ends in two weeks: enough under the default limits, not at an hour a day.
  return { name: "高等数学（上）", teacher: "孙立平", period: { from: -30, to: 14 }, chapters };
}
