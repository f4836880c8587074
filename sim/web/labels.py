"""The words of the page's own frame (buttons, headings), Chinese first; everything the page shows
about a chain — verdicts, reasons, bottlenecks, rules — comes in the same language from the modules
that write the reports (:mod:`sim.analysis.assess`, :mod:`sim.report.html`, :mod:`sim.model.legal`).

Example:
    >>> page_labels("zh")["run"], page_labels("en")["run"]
    ('运行', 'Run')
"""

from __future__ import annotations

__all__ = ["PAGE_LABELS", "page_labels"]

PAGE_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "ReformSim 改革试算台", "chain": "审批链", "diagram": "改革前后流程图",
        "zoom_in": "放大", "zoom_out": "缩小", "fit": "适应窗口",
        "pan_hint": "滚轮缩放，拖动平移", "levers": "各环节可用的改革措施", "step": "环节", "agency": "责任单位",
        "kind": "类别", "staff": "人员与申请量", "staff_of": "人员数", "demand": "每个工作日申请量",
        "precision": "精度", "cases": "每次重复的件数", "replications": "重复次数", "seed": "随机种子",
        "run": "运行", "running": "正在模拟……", "verdicts": "目标结论", "target": "目标", "check": "核对项",
        "verdict": "结论", "previous": "上次结论", "share": "达标比例", "mean": "均值", "interval": "95%区间",
        "reason": "理由", "changed": "已变化", "bottlenecks": "瓶颈", "notes": "说明", "save": "保存",
        "save_name": "名称", "save_report": "同时保存 HTML/Excel 报告", "saved": "已保存：", "error": "输入有误",
        "allowed_done": "已采用", "levers_hint": "灰色的措施规则不允许；鼠标悬停可查看规则及依据。", "no_run": "尚未运行：选择措施后点击“运行”。",
        "lang": "English",
        "online": "全程网办", "commitment": "告知承诺", "accept_incomplete": "容缺受理", "green_channel": "绿色通道",
        "remove": "取消环节",
    },
    "en": {
        "title": "ReformSim reform workbench", "chain": "Chain", "diagram": "Before / after",
        "zoom_in": "Zoom in", "zoom_out": "Zoom out", "fit": "Fit",
        "pan_hint": "wheel to zoom, drag to pan", "levers": "Levers each step allows", "step": "Step", "agency": "Agency",
        "kind": "Kind", "staff": "Staff and demand", "staff_of": "staff", "demand": "Applications per working day",
        "precision": "Precision", "cases": "Cases per replication", "replications": "Replications", "seed": "Seed",
        "run": "Run", "running": "Simulating…", "verdicts": "Verdicts", "target": "Target", "check": "Check",
        "verdict": "Verdict", "previous": "Previous", "share": "Share meeting", "mean": "mean", "interval": "95% interval",
        "reason": "Reason", "changed": "changed", "bottlenecks": "Bottlenecks", "notes": "Notes", "save": "Save",
        "save_name": "Name", "save_report": "also save the HTML/Excel report", "saved": "Saved: ", "error": "Bad input",
        "allowed_done": "in place", "levers_hint": "Greyed levers are not allowed by the rules; hover to see the rule and its source.", "no_run": "Not run yet: choose levers, then Run.",
        "lang": "中文",
        "online": "Online", "commitment": "Commitment (告知承诺)", "accept_incomplete": "Accept incomplete (容缺受理)",
        "green_channel": "Green channel", "remove": "Remove step",
    },
}


def page_labels(lang: str) -> dict[str, str]:
    """The frame's words in ``lang`` (``zh`` or ``en``)."""
    if lang not in PAGE_LABELS:
        raise ValueError(f'lang must be "zh" or "en", got {lang!r}')
    return PAGE_LABELS[lang]
