"""Web logins: made and reset from the command line, Argon2 hashes, sessions ended by a
reset. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select
from test_ingest import UNITS

from unionroll.core.accounts import (
    AccountError,
    account_by_id,
    add_user,
    authenticate,
    reset_password,
    set_active,
    signing_key,
)
from unionroll.core.store import UserAccount
from unionroll.core.units import import_units
from unionroll.core.workspace import Workspace


@pytest.fixture
def county(workspace: Workspace, tmp_path: Path) -> Workspace:
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    import_units(workspace, units)
    return workspace


def test_a_login_is_made_hashed_and_checked(county: Workspace) -> None:
    login, password = add_user(county, "S11")
    assert login == "S11" and len(password) == 12
    with county.session() as s:
        stored = s.execute(select(UserAccount)).scalar_one()
    assert stored.password_hash.startswith("$argon2id$") and password not in stored.password_hash
    account = authenticate(county, "S11", password)
    assert account is not None and account.unit_code == "S11" and not account.is_top
    assert authenticate(county, "S11", password + "x") is None
    assert authenticate(county, "nobody", password) is None
    assert authenticate(county, "C", password) is None


def test_reset_ends_old_sessions_and_disable_locks_out(county: Workspace) -> None:
    add_user(county, "T1", login="chengguan", password="secret-pass-1")
    account = authenticate(county, "chengguan", "secret-pass-1")
    assert account is not None and account_by_id(county, account.id, account.stamp) is not None
    new = reset_password(county, "chengguan")
    assert account_by_id(county, account.id, account.stamp) is None
    assert authenticate(county, "chengguan", "secret-pass-1") is None
    assert authenticate(county, "chengguan", new) is not None
    set_active(county, "chengguan", False)
    assert authenticate(county, "chengguan", new) is None


def test_bad_accounts_are_refused_with_a_reason(county: Workspace) -> None:
    add_user(county, "S11")
    with pytest.raises(AccountError, match="已经有人用了"):
        add_user(county, "S12", login="S11")
    with pytest.raises(AccountError, match="密码太短"):
        add_user(county, "S12", password="short")
    with pytest.raises(AccountError, match="不可用"):
        add_user(county, "S12", login="有 空格")
    with pytest.raises(AccountError, match="没有登录名"):
        reset_password(county, "nobody")


def test_the_signing_key_is_made_once(county: Workspace) -> None:
    key = signing_key(county)
    assert len(key) == 64 and signing_key(county) == key


def test_cli_users_add_all_reset_list(county: Workspace, run, tmp_path: Path) -> None:
    out = tmp_path / "账号.csv"
    result = run("users", "add", "--all", "--level", "学校", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "已建 3 个账号" in result.output
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["单位代码", "登录名", "密码"] and {r[0] for r in rows[1:]} == {
        "S11",
        "S12",
        "S21",
    }
    assert authenticate(county, rows[1][1], rows[1][2]) is not None
    result = run("users", "add", "C", "--password", "county-pass-1")
    assert result.exit_code == 0 and "county-pass-1" in result.output
    result = run("users", "add", "C")
    assert result.exit_code == 1 and "已经有人用了" in result.output
    result = run("users", "reset", "S11")
    assert result.exit_code == 0 and "新密码" in result.output
    result = run("users", "list")
    assert "城关一小工会" in result.output and "从未登录" in result.output
    result = run("users", "add", "NOPE")
    assert result.exit_code == 2 and "找不到代码为“NOPE”的单位" in result.output
