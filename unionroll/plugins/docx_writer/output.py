"""Writing documents to files: :func:`write_docx`, :class:`DocxWriter` for a batch with one
template, and the atomic save."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import docx
from docx.document import Document

from unionroll.core.errors import UnionrollError
from unionroll.plugins.docx_template import REFERENCE_TEMPLATE, prepare_document
from unionroll.plugins.docx_writer.blocks import Doc
from unionroll.plugins.docx_writer.render import _Renderer


def reference_template_path() -> Path:
    """The shipped reference template; copy it to start a county's own template."""
    return REFERENCE_TEMPLATE


def write_docx(doc: Doc, path: Path, *, template: Path | None = None) -> Path:
    """Write ``doc`` to ``path`` as a .docx and return the path.

    ``template``: a county's Word template (.docx or .dotx). Its styles and page setup are
    used; styles it lacks, and page numbers if its footers have none, come from ours.
    Raises :class:`~unionroll.core.errors.ConfigError` for a template that is missing or not
    a Word file, :class:`~unionroll.core.errors.UnionrollError` when the file cannot be saved.
    """
    path = Path(path)
    document = prepare_document(
        Path(template) if template is not None else None, reference_template_path()
    )
    _Renderer(document).render(doc)
    _save(document, path)
    return path


class DocxWriter:
    """Writes many small documents with one template, prepared once (a batch of receipts:
    preparing the template is most of the work of writing one)."""

    def __init__(self, template: Path | None = None) -> None:
        document = prepare_document(
            Path(template) if template is not None else None, reference_template_path()
        )
        buffer = io.BytesIO()
        document.save(buffer)
        self._prepared = buffer.getvalue()

    def write(self, doc: Doc, path: Path) -> Path:
        document = docx.Document(io.BytesIO(self._prepared))
        _Renderer(document).render(doc)
        _save(document, Path(path))
        return Path(path)


def _save(document: Document, path: Path) -> None:
    """Save through a temporary file so a failed write never leaves half a document."""
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=".unionroll-", suffix=".docx", delete=False
        ) as tmp:
            tmp_name = tmp.name
            document.save(tmp)
        os.replace(tmp_name, path)
    except OSError as exc:
        if tmp_name and os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise UnionrollError(
            f"无法保存 Word 文件 {path}：{exc.strerror or exc}。"
            "如果该文件正在 Word 或 WPS 中打开，请先关闭再重试。"
        ) from None
