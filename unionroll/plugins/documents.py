"""The county's documents as report plugins: the half-year summary and the next-half plan.

Both are written from a wording template (``county_summary.txt.j2``,
``priorities.txt.j2``) into one document, then saved as .docx, .md and .html.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from unionroll.core.contracts import Report, ReportOptions
from unionroll.core.files import safe_name, write_text_atomic
from unionroll.core.hookcalls import report_context
from unionroll.core.hookspecs import hookimpl
from unionroll.plugins.templating import make_environment

if TYPE_CHECKING:
    from unionroll.core.rollup_types import RollupResult
    from unionroll.plugins.docx_writer import Doc

# What writes the documents is imported when one is written: the plugin is registered by
# every command (an ingest among them), and most write no document.


def build_document(
    report_name: str, template: str, rollup: RollupResult, options: ReportOptions
) -> tuple[Doc, Any]:
    """Render a wording template into a document; returns it with the environment used."""
    from unionroll.plugins.document import parse_markup
    from unionroll.plugins.report_context import summary_context

    env = make_environment(options.pm, override_dir=options.templates_dir)
    context = summary_context(
        rollup, org=options.title_prefix or rollup.workspace_name, today=options.today
    )
    context.update(report_context(options.pm, report_name, context))
    markup = env.get_template(template).render(**context)
    return parse_markup(markup), env


def save_document(doc: Doc, env: Any, out_dir: Path, options: ReportOptions) -> list[Path]:
    from unionroll.plugins.document import to_html, to_markdown

    stem = safe_name(doc.title) or "报告"
    written: list[Path] = []
    for fmt in options.formats:
        target = out_dir / f"{stem}.{fmt}"
        if fmt == "docx":
            from unionroll.plugins.docx_writer import write_docx  # python-docx: only if asked

            written.append(write_docx(doc, target, template=options.docx_template))
        elif fmt == "md":
            written.append(write_text_atomic(target, to_markdown(doc)))
        elif fmt == "html":
            written.append(write_text_atomic(target, to_html(doc, env)))
    return written


class _DocumentReport(Report):
    template: ClassVar[str] = ""
    formats = ("docx", "md", "html")
    default_formats = ("docx", "md", "html")

    def render(self, rollup: RollupResult, out_dir: Path, options: ReportOptions) -> list[Path]:
        doc, env = build_document(self.name, self.template, rollup, options)
        return save_document(doc, env, out_dir, options)


class CountySummaryReport(_DocumentReport):
    name = "county-summary"
    description = "工作总结（按分类汇总数字、获奖、活动、亮点、问题和下一步打算）"
    template = "county_summary.txt.j2"


class PrioritiesReport(_DocumentReport):
    name = "priorities"
    description = "下一阶段工作要点（汇总各单位计划，结转未完成目标）"
    template = "priorities.txt.j2"


@hookimpl(trylast=True)
def register_reports() -> list[Report]:
    return [CountySummaryReport(), PrioritiesReport()]
