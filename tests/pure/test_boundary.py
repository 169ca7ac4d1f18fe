"""The house's boundaries (ARCHITECTURE.md): what may import what, checked on the source."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TELEGRAM_EDGE = ("handlers/telegram.py", "handlers/telegram_mapping.py",
                 "handlers/telegram_publishing.py")
# The other handlers/whatsapp_*.py modules (inbound, inbox, layout, outgoing, templates,
# transport, webhook) are the WhatsApp edge too, but are handed pywa's objects by this one.
WHATSAPP_EDGE = ("handlers/whatsapp.py",)
MESSENGER_LIBRARIES = {"telegram": TELEGRAM_EDGE, "pywa": WHATSAPP_EDGE,
                       "pywa_async": WHATSAPP_EDGE}


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Full names of the modules `path` imports (at module level only, if asked), outside
    `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def name_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_each_messenger_library_is_imported_by_its_edge_only():
    offenders = [
        (str(path.relative_to(ROOT)), library)
        for path in sources("bot") + sources("handlers")
        for library, edge in MESSENGER_LIBRARIES.items()
        if library in {name.split(".")[0] for name in imports(path)}
        and str(path.relative_to(ROOT)) not in edge
    ]
    assert offenders == []


def test_the_core_never_imports_a_channel_edge_except_where_the_program_is_assembled():
    offenders = [str(path.relative_to(ROOT)) for path in sources("bot")
                 if any(name.startswith("handlers") for name in imports(path))
                 and path.name not in ("cli.py", "maintenance.py")]
    assert offenders == []


def test_features_never_import_each_other():
    features = {name_of(path) for path in sources("bot/features")} - {"bot.features"}
    offenders = {
        (name_of(path), name) for path in sources("bot/features")
        for name in imports(path) if name in features and name != name_of(path)
    }
    assert offenders == set()


def test_staff_actions_import_no_feature_and_no_edge():
    offenders = {
        (name_of(path), name) for path in sources("bot/actions") for name in imports(path)
        if name.startswith(("bot.features", "handlers"))
    }
    assert offenders == set()


def test_the_web_page_changes_nothing_but_through_the_actions():
    # The pages read storage; what they change goes through bot/actions (or the web's own
    # sign-in tables), so no rule of an action is written twice.
    writes = ("sessions.edit", "sessions.move", "sessions.close", "sessions.reopen",
              "sessions.cancel", "registrations.give_seat", "registrations.most_ready",
              "registrations.mark_present", "broadcasts.create", "broadcasts.cancel",
              "broadcasts.end", "interest.open", "interest.close", "outbox.enqueue")
    offenders = [
        (str(path.relative_to(ROOT)), call) for path in sources("handlers/staff_web")
        for call in writes if f"db.{call}(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


PURE = ("engine", "questionnaire", "questions", "eligibility", "criteria", "validators",
        "reminder_policy", "session_rules", "seating", "typed_dates", "audiences",
        "staff_questions", "channel", "buttons", "owner_buttons", "staff_buttons", "amounts")


def test_the_pure_modules_do_no_io_and_import_no_storage():
    modules = {f"bot.{name}" for name in PURE}
    offenders = {
        (module, name) for module in sorted(modules)
        for name in imports(ROOT / Path(*module.split(".")).with_suffix(".py"))
        if name.startswith(("bot.storage", "bot.core", "bot.context", "bot.actions",
                            "bot.features", "aiosqlite", "asyncio"))
    }
    assert offenders == set()


def test_no_module_of_the_bot_imports_itself_back_at_load_time():
    modules = {name_of(path): path for path in sources("bot")}
    graph = {name: {m for m in imports(path, top_level_only=True) if m in modules and m != name}
             for name, path in modules.items()}

    def cycle_from(start: str) -> list[str] | None:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*trail, nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
        return None

    cycles = [cycle for name in graph if (cycle := cycle_from(name))]
    assert cycles == []


def test_the_telegram_edge_does_import_telegram():
    assert "telegram" in {name.split(".")[0] for name in imports(ROOT / "handlers" / "telegram.py")}
