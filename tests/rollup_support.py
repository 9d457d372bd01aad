"""Helpers for the rollup tests: workspaces with any number of levels and a small form,
and a command runner."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from click.testing import CliRunner, Result

from unionroll.core.workspace import CONFIG_NAME, Workspace

TEST_FORM = """\
id: test-form
version: 1
title: 测试报表
period_type: quarter
deadline_days: 10
levels: [{form_levels}]
sections:
  - id: work
    name: 日常工作
    indicators:
      - {{id: flow, label: 活动次数, unit: 次, type: int, agg: sum}}
      - {{id: money, label: 慰问金, unit: 元, type: money, agg: sum}}
      - {{id: heads, label: 职工人数, unit: 人, type: int, agg: stock}}
      - {{id: leaf_heads, label: 基层人数, unit: 人, type: int, agg: stock, levels: [{leaf}]}}
      - id: rate
        label: 人均活动
        unit: "%"
        type: derived
        agg: ratio
        numerator: flow
        denominator: heads
      - id: leaf_share
        label: 基层占比
        unit: "%"
        type: derived
        agg: ratio
        numerator: leaf_heads
        denominator: heads
      - {{id: flag, label: 建立制度, unit: 是/否, type: bool, agg: count_yes}}
      - {{id: kind, label: 类别, unit: "", type: choice, agg: choice, options: [甲, 乙, 丙]}}
      - {{id: note, label: 备注, unit: "", type: text, agg: none}}
      - {{id: code_no, label: 编号, unit: 号, type: int, agg: none}}
registers:
  - id: awards
    name: 获奖情况
    columns:
      - {{id: holder_type, label: 获奖类型, type: choice, options: [单位, 集体, 个人]}}
      - {{id: holder, label: 获奖单位或个人, type: text, required: true}}
      - {{id: title, label: 奖项或称号, type: text, required: true}}
      - {{id: level, label: 级别, type: choice, options: [国家, 省, 市, 县, 乡镇], required: true}}
      - {{id: month, label: 月份, type: month}}
      - {{id: category, label: 工作类别, type: category}}
  - id: events
    name: 主要活动
    columns:
      - {{id: name, label: 活动名称, type: text, required: true}}
      - {{id: category, label: 工作类别, type: category}}
  - id: priorities
    name: 工作计划
    columns:
      - {{id: category, label: 工作类别, type: category}}
      - {{id: text, label: 计划内容, type: text, required: true}}
      - {{id: indicator, label: 对应指标, type: indicator}}
      - {{id: target, label: 目标值, type: number}}
      - {{id: month, label: 完成月份, type: month}}
"""


def level_ids(n: int) -> list[str]:
    return [f"lv{i}" for i in range(n)]


def write_levels_workspace(
    root: Path, n_levels: int, *, form_levels: Sequence[str] | None = None
) -> None:
    """A workspace folder whose config defines ``n_levels`` levels (lv0 级0 highest) and
    uses the small test form at those levels."""
    ids = level_ids(n_levels)
    form_levels = list(form_levels or ids)
    root.mkdir(parents=True, exist_ok=True)
    lines = ['[workspace]\nname = "测试工会"\n']
    for i, lv in enumerate(ids):
        lines.append(f'[[levels]]\nid = "{lv}"\nname = "级{i}"\n')
    lines.append('[form]\nid = "test-form"\nfile = "form.yaml"\n')
    (root / CONFIG_NAME).write_text("\n".join(lines), encoding="utf-8")
    (root / "form.yaml").write_text(
        TEST_FORM.format(form_levels=", ".join(form_levels), leaf=ids[-1]), encoding="utf-8"
    )


class RollupCli:
    """Runs ``unionroll`` against one workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        from unionroll.cli.main import cli

        argv = ["--workspace", str(self.workspace.root), "--db", self.workspace.db_url, *args]
        return self.runner.invoke(cli, argv, catch_exceptions=False)
