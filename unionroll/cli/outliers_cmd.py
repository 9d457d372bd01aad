"""``unionroll outliers``: the values of a period far from their unit's past or its peers."""

from __future__ import annotations

import click

from unionroll.cli.common import AppContext, echo_json, format_table, handle_errors, pass_app
from unionroll.core.outlier_data import workspace_outliers
from unionroll.core.periods import Period

METHOD_ZH = {"history": "与本单位以往相比", "peers": "与同级单位相比"}


@click.command("outliers")
@click.option(
    "--period", "period_text", required=True, help="期间，如 2025Q2、2025H1 或 2025年第二季度。"
)
@click.option("--unit", default=None, help="只列这个单位及其下属单位（默认：全县）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
@handle_errors
def outliers(app: AppContext, period_text: str, unit: str | None, as_json: bool) -> None:
    """列出某期报表中明显偏离本单位以往或同级单位的数值，供核实（报表照常收录）。

    检查方法和阈值写在报表定义文件中，可逐个指标调整，见 docs/outliers.md。"""
    ws = app.workspace
    period = Period.parse(period_text)
    rows = workspace_outliers(ws, period, unit=unit)
    if as_json:
        echo_json(
            [
                {
                    "unit": r.unit_code,
                    "name": r.unit_name,
                    "level": r.level,
                    "period": r.period,
                    "indicator": r.outlier.indicator_id,
                    "value": r.outlier.value,
                    "method": r.outlier.method,
                    "reference": r.outlier.reference,
                    "score": r.outlier.score,
                    "message": r.outlier.message,
                    "source": r.source_name,
                    "location": r.location,
                }
                for r in rows
            ]
        )
        return
    if not rows:
        click.echo(f"{period.label_zh}：没有明显偏离的数值。")
        return
    click.echo(f"{period.label_zh}：{len(rows)} 个数值明显偏离，请与报送单位核实。")
    click.echo(
        format_table(
            ["期间", "代码", "单位", "比较", "说明", "文件与位置"],
            [
                [
                    Period.parse(r.period).label_zh,
                    r.unit_code,
                    r.unit_name,
                    METHOD_ZH[r.outlier.method],
                    r.outlier.message,
                    r.source_name + (f"（{r.location}）" if r.location else ""),
                ]
                for r in rows
            ],
        )
    )


def register(cli: click.Group) -> None:
    cli.add_command(outliers)
