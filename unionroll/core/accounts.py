"""Web logins: one or more per unit, passwords hashed with Argon2id (argon2-cffi).

An account acts for its unit: a school's account sends that school's returns; a
township's or the county's account also reviews the units under it.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from unionroll.core.errors import UnionrollError
from unionroll.core.store import Setting, Unit, UserAccount
from unionroll.core.tables import utcnow
from unionroll.core.units import require_unit
from unionroll.core.workspace import Workspace

MIN_PASSWORD = 8
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the login does not exist, so that a wrong login takes
    as long as a wrong password and does not tell which logins exist. Made when first
    needed: hashing is slow on purpose, and most commands never log anyone in."""
    return _HASHER.hash("unionroll-no-such-user")


class AccountError(UnionrollError):
    """An account that cannot be made or changed as asked."""


@dataclass(frozen=True)
class Account:
    """A login as the web page sees it: who, for which unit, and whether it reviews."""

    id: int
    login: str
    unit_id: int
    unit_code: str
    unit_name: str
    unit_level: str
    is_top: bool  # the top unit (the county): sees everything, confirms and unlocks
    stamp: str  # changes with the password: sessions signed before a reset end

    @property
    def display(self) -> str:
        return f"{self.unit_name}（{self.login}）"


def new_password() -> str:
    """A password a person can copy from a printed sheet: 12 letters and digits, none
    of the look-alikes (0/O, 1/l/I)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 个字符。")
    if len(password) > 200:
        raise AccountError("密码太长：最多 200 个字符。")


def add_user(
    workspace: Workspace, unit_code: str, *, login: str | None = None, password: str | None = None
) -> tuple[str, str]:
    """Create a login for a unit; returns (login, password). The login defaults to the
    unit code; the password, when not given, is generated."""
    password = password or new_password()
    _check_password(password)
    with workspace.session() as session:
        unit = require_unit(session, unit_code)
        login = (login or unit.code).strip()
        if not LOGIN_PATTERN.match(login):
            raise AccountError(
                f"登录名“{login}”不可用：只能用 1–64 个英文字母、数字或 _ . -"
                "（可用 --login 另取一个）。"
            )
        taken = session.execute(
            select(UserAccount.id).where(UserAccount.login == login)
        ).scalar_one_or_none()
        if taken is not None:
            raise AccountError(
                f"登录名“{login}”已经有人用了。要重设密码请用 unionroll users reset。"
            )
        session.add(
            UserAccount(
                login=login,
                unit_id=unit.id,
                password_hash=_HASHER.hash(password),
                password_stamp=secrets.token_hex(8),
                active=True,
                created_at=utcnow(),
            )
        )
    return login, password


def reset_password(workspace: Workspace, login: str, password: str | None = None) -> str:
    """Give a login a new password (generated when not given) and end its sessions."""
    password = password or new_password()
    _check_password(password)
    with workspace.session() as session:
        user = _user(session, login)
        user.password_hash = _HASHER.hash(password)
        user.password_stamp = secrets.token_hex(8)
        user.active = True
    return password


def set_active(workspace: Workspace, login: str, active: bool) -> None:
    with workspace.session() as session:
        user = _user(session, login)
        user.active = active
        user.password_stamp = secrets.token_hex(8)


def list_users(workspace: Workspace) -> list[tuple[UserAccount, Unit]]:
    with workspace.session() as session:
        rows = session.execute(
            select(UserAccount, Unit)
            .join(Unit, Unit.id == UserAccount.unit_id)
            .order_by(UserAccount.login)
        ).all()
        return [(u, unit) for u, unit in rows]


def authenticate(workspace: Workspace, login: str, password: str) -> Account | None:
    """The account when the login and password match an active account, else None."""
    with workspace.session() as session:
        user = session.execute(
            select(UserAccount).where(UserAccount.login == login.strip())
        ).scalar_one_or_none()
        if user is None or not user.active:
            _verify(_dummy_hash(), password)
            return None
        if not _verify(user.password_hash, password):
            return None
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
        user.last_login_at = utcnow()
        return _account(session, user)


def account_by_id(workspace: Workspace, user_id: int, stamp: str) -> Account | None:
    """The account a signed session names, if it still exists, is active and its
    password has not changed since the session began."""
    with workspace.session() as session:
        user = session.get(UserAccount, user_id)
        if user is None or not user.active or user.password_stamp != stamp:
            return None
        return _account(session, user)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _account(session: Session, user: UserAccount) -> Account:
    unit = session.get(Unit, user.unit_id)
    assert unit is not None
    return Account(
        id=user.id,
        login=user.login,
        unit_id=unit.id,
        unit_code=unit.code,
        unit_name=unit.name,
        unit_level=unit.level,
        is_top=unit.parent_id is None,
        stamp=user.password_stamp,
    )


def _user(session: Session, login: str) -> UserAccount:
    user = session.execute(
        select(UserAccount).where(UserAccount.login == login)
    ).scalar_one_or_none()
    if user is None:
        raise AccountError(f"没有登录名为“{login}”的账号。可用 unionroll users list 查看。")
    return user


def signing_key(workspace: Workspace) -> str:
    """The key that signs web sessions: made once and kept in the database, so that
    every office serving the same database signs alike and a restart keeps sessions."""
    try:
        with workspace.session() as session:
            row = session.get(Setting, "web_secret_key")
            if row is None:
                row = Setting(key="web_secret_key", value=secrets.token_hex(32))
                session.add(row)
            return row.value
    except IntegrityError:  # another server made it at the same moment: use theirs
        with workspace.session() as session:
            row = session.get(Setting, "web_secret_key")
            assert row is not None
            return row.value
