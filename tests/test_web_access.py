"""The web page from the outside: what each login may see and do, and every way in that
must be refused: no login, another unit's page, a forged or token-less form, an upload
that is too large, for another unit, or hostile. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from web_support import Browserless, filled_template, password_of, setup_county

from unionroll.core.ingest import IngestOptions, ingest_paths
from unionroll.core.review import review_state
from unionroll.core.store import ReturnRecord
from unionroll.core.workspace import Workspace


@pytest.fixture
def county(workspace: Workspace, tmp_path: Path) -> Workspace:
    return setup_county(workspace, tmp_path / "setup")


def n_returns(ws: Workspace) -> int:
    with ws.session() as s:
        return s.execute(select(func.count()).select_from(ReturnRecord)).scalar_one()


def as_user(ws: Workspace, login: str) -> Browserless:
    web = Browserless(ws)
    assert web.login(login).status_code == 302
    return web


def test_every_page_needs_a_login(county: Workspace) -> None:
    web = Browserless(county)
    for url in ("/", "/periods", "/history", "/review/2025Q1", "/periods/2025Q1/upload"):
        response = web.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert web.http.post("/review/2025Q1/act", data={"action": "approve"}).status_code in (
        302,
        400,
    )


def test_wrong_password_and_too_many_tries(county: Workspace) -> None:
    web = Browserless(county)
    response = web.login("S11", "wrong-password")
    assert response.status_code == 401 and "登录名或密码不对" in response.get_data(as_text=True)
    for _ in range(5):
        web.login("S12", "wrong-password")
    response = web.login("S12")  # the right password, but too many wrong ones before
    assert response.status_code == 401
    assert "密码错误次数太多" in response.get_data(as_text=True)


def test_a_school_sees_only_its_own(county: Workspace, tmp_path: Path) -> None:
    other = filled_template(county, tmp_path / "in", "S12")
    ingest_paths(county, [other], options=IngestOptions())
    with county.session() as s:
        other_id = s.execute(select(ReturnRecord.id)).scalar_one()
    web = as_user(county, "S11")
    assert web.get("/periods").status_code == 200
    assert web.get("/units/S12/history").status_code == 403
    assert web.get(f"/returns/{other_id}").status_code == 403
    assert web.get("/review/2025Q1").status_code == 403
    assert web.get("/review/2025Q1/chase.xlsx").status_code == 403
    page = web.get("/units/S12/history").get_data(as_text=True)
    assert "无权访问" in page and "城关二小" not in page
    # a forged approval from a school, with a valid token of its own session
    response = web.post_form(
        "/review/2025Q1/act", {"action": "approve", "unit": "S12"}, from_page="/periods"
    )
    assert response.status_code == 403
    assert review_state(county, "S12", "2025Q1").state == "submitted"


def test_a_township_reviews_only_its_own_schools(county: Workspace, tmp_path: Path) -> None:
    for code in ("S11", "S21"):
        ingest_paths(county, [filled_template(county, tmp_path / "in", code)])
    web = as_user(county, "T1")
    page = web.get("/review/2025Q1").get_data(as_text=True)
    assert "城关一小工会" in page and "青石中学工会" not in page
    assert web.get("/units/S21/history").status_code == 403
    response = web.post_form("/review/2025Q1/act", {"action": "approve", "unit": "S21"})
    assert response.status_code == 403
    assert review_state(county, "S21", "2025Q1").state == "submitted"
    response = web.post_form(
        "/review/2025Q1/act", {"action": "unlock", "unit": "S11", "reason": "x"}
    )
    assert response.status_code == 302
    page = web.get("/review/2025Q1").get_data(as_text=True)
    assert "只有最上级单位可以解锁" in page
    response = web.post_form("/review/2025Q1/act", {"action": "approve", "unit": "S11"})
    assert response.status_code == 302
    assert review_state(county, "S11", "2025Q1").label == "学区审核通过"
    county_web = as_user(county, "C")
    page = county_web.get("/review/2025Q1").get_data(as_text=True)
    assert "青石中学工会" in page and "学区审核通过" in page


def test_forms_without_a_valid_token_are_refused(county: Workspace, tmp_path: Path) -> None:
    ingest_paths(county, [filled_template(county, tmp_path / "in", "S11")])
    web = as_user(county, "T1")
    response = web.http.post("/review/2025Q1/act", data={"action": "approve", "unit": "S11"})
    assert response.status_code == 400 and "表单已失效" in response.get_data(as_text=True)
    other = as_user(county, "T2")  # a token from another person's session
    stolen = other.token("/periods")
    response = web.http.post(
        "/review/2025Q1/act", data={"action": "approve", "unit": "S11", "csrf_token": stolen}
    )
    assert response.status_code == 400
    assert review_state(county, "S11", "2025Q1").state == "submitted"
    school = as_user(county, "S12")
    path = filled_template(county, tmp_path / "up", "S12")
    with path.open("rb") as fh:
        response = school.http.post(
            "/periods/2025Q1/upload",
            data={"file": (fh, path.name)},
            content_type="multipart/form-data",
        )
    assert response.status_code == 400 and n_returns(county) == 1
    logout = Browserless(county)
    logout.login("S11")
    assert logout.http.post("/logout").status_code == 400  # logging out takes a token too


def test_an_oversized_upload_is_refused(county: Workspace, tmp_path: Path) -> None:
    web = as_user(county, "S11")
    big = tmp_path / "big.xlsx"
    big.write_bytes(os.urandom(11 * 1024 * 1024))
    response = web.upload("2025Q1", big)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "超过 10 MB" in page and "未收录" in page
    assert n_returns(county) == 0


def test_an_upload_for_another_unit_or_period_is_refused(county: Workspace, tmp_path: Path) -> None:
    web = as_user(county, "S11")
    response = web.upload("2025Q1", filled_template(county, tmp_path / "a", "S12"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "这是城关二小工会（S12）的报表，你只能报送本单位（S11）的报表" in page
    response = web.upload("2025Q2", filled_template(county, tmp_path / "b", "S11"))
    page = response.get_data(as_text=True)
    assert "你选择报送2025年第二季度，但这份报表是2025年第一季度的" in page
    assert n_returns(county) == 0


def _hostile(template: Path, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    bomb = folder / "bomb.xlsx"
    shutil.copy(template, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/image1.png", bytes(8 * 1024 * 1024))
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&lol9;</t></si></sst>"
    )
    entity = folder / "entity.xlsx"
    grid = folder / "grid.xlsx"
    with zipfile.ZipFile(template) as src:
        sheet = next(n for n in src.namelist() if n.startswith("xl/worksheets/sheet1"))
        with (
            zipfile.ZipFile(entity, "w", zipfile.ZIP_DEFLATED) as e,
            zipfile.ZipFile(grid, "w", zipfile.ZIP_DEFLATED) as g,
        ):
            for info in src.infolist():
                data = src.read(info)
                e.writestr(
                    info.filename,
                    laughs.encode() if info.filename.endswith("sharedStrings.xml") else data,
                )
                if info.filename == sheet:
                    data = data.replace(
                        b"</sheetData>",
                        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
                    )
                g.writestr(info.filename, data)
    noise = folder / "noise.xlsx"
    noise.write_bytes(os.urandom(40_000))
    return {"bomb": bomb, "entity": entity, "grid": grid, "noise": noise}


def test_hostile_files_get_the_same_refusal_as_the_command_line(
    county: Workspace, tmp_path: Path
) -> None:
    template = filled_template(county, tmp_path / "t", "S11")
    web = as_user(county, "S11")
    for kind, path in _hostile(template, tmp_path / "hostile").items():
        cli = ingest_paths(county, [path], options=IngestOptions(dry_run=True)).files[0]
        assert cli.error is not None, kind
        response = web.upload("2025Q1", path)
        assert response.status_code == 200, kind
        page = response.get_data(as_text=True)
        assert "文件无法读取，未收录" in page, kind
        escaped = cli.error.message.replace("“", "“").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in page, kind
    assert n_returns(county) == 0


def test_next_after_login_stays_on_this_site(county: Workspace) -> None:
    web = Browserless(county)
    token = web.token("/login")
    response = web.http.post(
        "/login?next=//evil.example/steal",
        data={"login": "S11", "password": password_of("S11"), "csrf_token": token},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/periods"


def test_a_password_reset_ends_the_session(county: Workspace) -> None:
    from unionroll.core.accounts import reset_password

    web = as_user(county, "S11")
    assert web.get("/periods").status_code == 200
    reset_password(county, "S11")
    response = web.get("/periods")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_pages_carry_protective_headers(county: Workspace) -> None:
    web = as_user(county, "S11")
    response = web.get("/periods")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    cookie = web.http.get_cookie("unionroll_session")
    assert cookie is not None and cookie.http_only


def test_return_for_correction_and_unlock_from_the_page(county: Workspace, tmp_path: Path) -> None:
    ingest_paths(county, [filled_template(county, tmp_path / "in", "S11")])
    township = as_user(county, "T1")
    township.post_form("/review/2025Q1/act", {"action": "return", "unit": "S11", "reason": " "})
    assert "退回需要说明原因" in township.get("/review/2025Q1").get_data(as_text=True)
    township.post_form(
        "/review/2025Q1/act", {"action": "return", "unit": "S11", "reason": "<b>补填</b>献血人数"}
    )
    school = as_user(county, "S11")
    page = school.get("/history").get_data(as_text=True)
    assert "已退回" in page and "&lt;b&gt;补填&lt;/b&gt;献血人数" in page  # shown, never run
    fixed = filled_template(county, tmp_path / "fix", "S11", blood_donors=13)
    assert "已收录" in school.upload("2025Q1", fixed).get_data(as_text=True)
    top = as_user(county, "C")
    top.post_form("/review/2025Q1/act", {"action": "approve_all"})
    assert review_state(county, "S11", "2025Q1").locked
    top.post_form("/review/2025Q1/act", {"action": "unlock", "unit": "S11", "reason": "更正"})
    assert review_state(county, "S11", "2025Q1").state == "submitted"


def test_the_review_table_can_show_only_what_waits(county: Workspace, tmp_path: Path) -> None:
    for code in ("S11", "S12"):
        ingest_paths(county, [filled_template(county, tmp_path / "in", code)])
    web = as_user(county, "T1")
    web.post_form("/review/2025Q1/act", {"action": "approve", "unit": "S11"})
    page = web.get("/review/2025Q1?show=waiting").get_data(as_text=True)
    assert 'id="unit-S12"' in page and 'id="unit-S11"' not in page
    page = web.get("/review/2025Q1?show=chase").get_data(as_text=True)
    assert 'id="unit-T1"' in page and 'id="unit-S12"' not in page
    assert "审核通过 1 个（其中县级确认 0 个）" in page


def test_a_school_downloads_its_own_template_and_it_reads_back(
    county: Workspace, tmp_path: Path
) -> None:
    web = as_user(county, "S11")
    response = web.get("/periods/2025Q1/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    path = tmp_path / "downloaded.xlsx"
    path.write_bytes(response.data)
    read = ingest_paths(county, [path], options=IngestOptions(dry_run=True)).files[0]
    assert read.error is None
    (ret,) = read.returns
    assert (ret.unit_code, ret.period) == ("S11", "2025Q1")  # empty, so refused, but its own
    assert web.get("/periods/2025H1/template.xlsx").status_code == 404
    assert web.get("/periods/nonsense/template.xlsx").status_code == 404


def test_an_upload_into_a_locked_period_is_refused(county: Workspace, tmp_path: Path) -> None:
    from unionroll.core.review import Reviewer
    from unionroll.core.review_actions import approve

    ingest_paths(county, [filled_template(county, tmp_path / "in", "S11")])
    approve(county, "S11", "2025Q1", Reviewer("C", "县"))
    web = as_user(county, "S11")
    # the page offers no upload, and a post made anyway is refused and stores nothing
    upload_page = web.get("/periods/2025Q1/upload").get_data(as_text=True)
    assert "已经县级确认并锁定" in upload_page and 'type="file"' not in upload_page
    changed = filled_template(county, tmp_path / "again", "S11", blood_donors=40)
    token = web.token("/periods")
    with changed.open("rb") as fh:
        response = web.http.post(
            "/periods/2025Q1/upload",
            data={"file": (fh, changed.name), "csrf_token": token},
            content_type="multipart/form-data",
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已经县级确认并锁定，不能再报送或更正" in page
    assert n_returns(county) == 1
