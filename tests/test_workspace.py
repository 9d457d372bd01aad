from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from unionroll.cli.main import cli
from unionroll.core import migrate
from unionroll.core.errors import ConfigError, DatabaseError, WorkspaceError
from unionroll.core.workspace import CONFIG_NAME, Workspace, load_config


def test_create_makes_config_folders_and_current_schema(workspace: Workspace) -> None:
    assert (workspace.root / CONFIG_NAME).is_file()
    for sub in ("sources", "receipts", "reports", "templates"):
        assert (workspace.root / sub).is_dir()
    assert migrate.current_revision(workspace.engine) == migrate.head_revision()
    tables = set(inspect(workspace.engine).get_table_names())
    assert {
        "units",
        "unit_closure",
        "unit_events",
        "forms",
        "returns",
        "return_values",
        "register_rows",
        "findings",
        "source_files",
    } <= tables
    config = load_config(workspace.root / CONFIG_NAME)
    assert config.name == "测试县教育工会"
    assert [lv.name for lv in config.levels] == ["县", "学区", "学校"]


def test_upgrade_is_idempotent(workspace: Workspace) -> None:
    migrate.upgrade(workspace.engine)
    migrate.ensure_current(workspace.engine)


def test_sqlite_is_set_up_for_safety(sqlite_workspace: Workspace) -> None:
    with sqlite_workspace.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_uninitialised_database_is_refused(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "a")
    other = Workspace.open(tmp_path / "a", db_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(DatabaseError, match="数据库尚未初始化"), other.session():
        pass
    ws.close()
    other.close()


def test_create_twice_changes_nothing(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "a").close()
    before = (tmp_path / "a" / CONFIG_NAME).read_text(encoding="utf-8")
    with pytest.raises(WorkspaceError, match="已经是一个工作区"):
        Workspace.create(tmp_path / "a")
    assert (tmp_path / "a" / CONFIG_NAME).read_text(encoding="utf-8") == before


def test_open_without_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="不是 unionroll 工作区"):
        Workspace.open(tmp_path)


def test_workspace_found_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Workspace.create(tmp_path / "county").close()
    sub = tmp_path / "county" / "returns" / "2025Q1"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    ws = Workspace.open()
    assert ws.root == (tmp_path / "county").resolve()


def test_bad_config_is_reported(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "a").close()
    cfg = tmp_path / "a" / CONFIG_NAME
    cfg.write_text("[workspace\nname=1", encoding="utf-8")
    with pytest.raises(ConfigError, match="格式错误"):
        Workspace.open(tmp_path / "a")
    cfg.write_text('[[levels]]\nid = "county"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="第 1 个层级需要 id 和 name"):
        Workspace.open(tmp_path / "a")


def test_custom_levels_and_form_must_agree(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "a").close()
    cfg = tmp_path / "a" / CONFIG_NAME
    cfg.write_text(
        '[[levels]]\nid = "county"\nname = "县"\n[[levels]]\nid = "school"\nname = "学校"\n',
        encoding="utf-8",
    )
    ws = Workspace.open(tmp_path / "a")
    with pytest.raises(ConfigError, match="层级 township 未在工作区配置中定义"):
        _ = ws.form


def test_config_can_point_at_its_own_form_file(tmp_path: Path) -> None:
    from unionroll.core.forms import STANDARD_FORM_FILE

    Workspace.create(tmp_path / "a").close()
    own = tmp_path / "a" / "my-form.yaml"
    own.write_text(
        STANDARD_FORM_FILE.read_text(encoding="utf-8").replace(
            "title: 教育工会工作季度报表", "title: 某县教育工会季度报表"
        ),
        encoding="utf-8",
    )
    cfg = tmp_path / "a" / CONFIG_NAME
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace(
            '# file = "forms/my-form.yaml"', 'file = "my-form.yaml"'
        ),
        encoding="utf-8",
    )
    ws = Workspace.open(tmp_path / "a")
    assert ws.form.title == "某县教育工会季度报表"


# --- command line ---------------------------------------------------------------------


def test_cli_init_and_form_show(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "五莲县"
    result = runner.invoke(cli, ["init", str(target), "--name", "五莲县教育工会"])
    assert result.exit_code == 0, result.output
    assert "已创建工作区" in result.output
    assert 'name = "五莲县教育工会"' in (target / CONFIG_NAME).read_text(encoding="utf-8")

    result = runner.invoke(cli, ["--workspace", str(target), "form", "show"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "教育工会工作季度报表（edu-union-quarterly，第 1 版）" in out
    assert "一、基本情况（学校）" in out
    assert "二、送温暖帮扶（县、学区、学校）" in out
    assert "八、自身建设" in out
    assert "发放慰问金、帮扶金[元]  care_funds  金额，累加" in out
    assert "入会率[%]  membership_rate  自动计算，比率  = members_total / staff_total" in out
    assert "[提醒] members_total ≤ staff_total" in out
    assert "获奖情况（awards）" in out

    result = runner.invoke(cli, ["--workspace", str(target), "form", "show", "--json"])
    assert result.exit_code == 0
    assert '"id": "edu-union-quarterly"' in result.output


def test_cli_form_check(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\ntitle: 坏表\nversion: 1\nlevels: [school]\nsections:\n"
        "  - id: a\n    name: 甲\n    indicators:\n"
        "      - {id: n, label: 数, unit: 人, type: int, agg: avg}\n"
        "      - {id: n, label: 数2, unit: 人, type: int, agg: sum}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--workspace", str(tmp_path), "form", "check", str(bad)])
    assert result.exit_code == 1
    assert "有 2 处问题" in result.output
    assert "未知的汇总方式 avg" in result.output
    assert "id 重复" in result.output
    assert "Traceback" not in result.output


def test_cli_errors_are_one_clear_line(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--workspace", str(tmp_path), "form", "show"])
    assert result.exit_code == 1
    assert result.output.startswith("错误：")
    assert "不是 unionroll 工作区" in result.output

    Workspace.create(tmp_path / "ws").close()
    result = runner.invoke(
        cli,
        [
            "--workspace",
            str(tmp_path / "ws"),
            "--db",
            "postgresql://nobody@127.0.0.1:1/x",
            "db",
            "status",
        ],
    )
    assert result.exit_code == 1
    assert "无法连接数据库" in result.output
    assert "Traceback" not in result.output

    result = runner.invoke(
        cli, ["--workspace", str(tmp_path / "ws"), "--db", "nonsense", "db", "status"]
    )
    assert result.exit_code == 1
    assert "数据库地址“nonsense”无法识别" in result.output


def test_cli_db_upgrade_and_status(run) -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0
    assert "数据库结构已是最新" in result.output
    result = run("db", "status")
    assert "结构版本：0003（本程序：0003）" in result.output


def test_every_command_has_help() -> None:
    runner = CliRunner()

    def walk(group, prefix):
        for name, command in group.commands.items():
            args = [*prefix, name, "--help"]
            result = runner.invoke(cli, args)
            assert result.exit_code == 0, args
            assert command.help, f"{' '.join(args[:-1])} has no help text"
            if hasattr(command, "commands"):
                walk(command, [*prefix, name])

    walk(cli, [])
