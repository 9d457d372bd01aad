"""The web page in a real browser (Playwright driving Debian's chromium) against
``unionroll serve``: a school uploads a return with an error, reads the located error,
uploads the fixed file and sees 已报; its township approves; the county confirms; the
school can no longer upload; the county sees the state in its status. On SQLite and
PostgreSQL. Screenshots go to $UNIONROLL_SCREENSHOTS when it is set."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from web_support import filled_template, live_server, password_of, setup_county

from unionroll.core.periods import Period, PeriodType
from unionroll.core.workspace import Workspace

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    executable = _chromium()
    if executable is None:
        pytest.skip("no chromium browser on this machine (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:  # a browser that will not start here: say why
            pytest.skip(f"chromium could not be started: {exc}")
        yield b
        b.close()


class Shots:
    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder = folder
        self.prefix = prefix
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Any, name: str) -> None:
        page.screenshot(path=str(self.folder / f"{self.prefix}-{name}.png"), full_page=True)


@pytest.fixture
def shots(request: pytest.FixtureRequest, tmp_path: Path) -> Shots:
    folder = Path(os.environ.get("UNIONROLL_SCREENSHOTS") or tmp_path / "shots")
    return Shots(folder, request.node.callspec.id)


def log_in(page: Any, url: str, login: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码").fill(password_of(login))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/periods")


def log_out(page: Any) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login*")


def test_upload_review_and_lock_in_a_browser(
    browser: Any, workspace: Workspace, tmp_path: Path, shots: Shots, run: Any
) -> None:
    ws = setup_county(workspace, tmp_path / "setup")
    period = Period.containing(date.today(), PeriodType.QUARTER).previous()
    bad = filled_template(ws, tmp_path / "bad", "S11", period.code, female_staff=99)
    good = filled_template(ws, tmp_path / "good", "S11", period.code)
    with live_server(ws) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")

        # the school: its periods, an upload with an error, the located error
        log_in(page, url, "S11")
        row = page.locator("tr", has_text=period.label_zh)
        assert "未报" in row.inner_text()
        shots(page, "1-periods")
        row.get_by_role("link", name="上传报表").click()
        page.get_by_label("报表文件").set_input_files(str(bad))
        page.get_by_role("button", name="上传并检查").click()
        body = page.locator("main").inner_text()
        assert "退回：有错误，未收录" in body
        assert "女教职工数（99）不应大于在职教职工数（85）" in body
        assert "工作表“报表”" in body and "单元格" in body
        shots(page, "2-receipt-error")

        # the fixed file
        page.get_by_role("link", name="改正后重新上传").click()
        page.get_by_label("报表文件").set_input_files(str(good))
        page.get_by_role("button", name="上传并检查").click()
        body = page.locator("main").inner_text()
        assert "已收录" in body and "本期审核状态：已报" in body
        shots(page, "3-receipt-ok")
        page.get_by_role("link", name="返回本单位报表").click()
        assert "已报" in page.locator("tr", has_text=period.label_zh).inner_text()
        log_out(page)

        # the township approves its school
        log_in(page, url, "T1")
        page.get_by_role("link", name="审核下属单位").click()
        page.get_by_role("link", name=period.label_zh).click()
        unit_row = page.locator("#unit-S11")
        assert "已报" in unit_row.inner_text()
        assert page.locator("#unit-S21").count() == 0  # another township's school
        unit_row.get_by_role("button", name="审核通过").click()
        assert "学区审核通过" in page.locator("#unit-S11").inner_text()
        assert "审核通过：城关一小工会" in page.locator(".flash").inner_text()
        shots(page, "4-township-review")
        log_out(page)

        # the county confirms, which locks
        log_in(page, url, "C")
        page.goto(f"{url}/review/{period.code}")
        page.locator("#unit-S11").get_by_role("button", name="确认并锁定").click()
        assert "县级确认" in page.locator("#unit-S11").inner_text()
        assert "确认并锁定：城关一小工会" in page.locator(".flash").inner_text()
        shots(page, "5-county-review")
        log_out(page)

        # the school can no longer upload
        log_in(page, url, "S11")
        row = page.locator("tr", has_text=period.label_zh)
        assert "县级确认" in row.inner_text() and "已锁定，不能再报送" in row.inner_text()
        assert row.get_by_role("link", name="上传报表").count() == 0
        page.goto(f"{url}/periods/{period.code}/upload")
        assert "已经县级确认并锁定" in page.locator("main").inner_text()
        assert page.get_by_label("报表文件").count() == 0
        shots(page, "6-locked")
        page.goto(url + "/history")
        assert "确认并锁定" in page.locator("main").inner_text()
        shots(page, "7-history")
        page.close()

    # the county's status shows the state
    result = run("status", "--period", period.code, "--json")
    units = {u["code"]: u for u in json.loads(result.output)["units"]}
    assert units["S11"]["review_label"] == "县级确认" and units["S12"]["review"] == "not_submitted"
