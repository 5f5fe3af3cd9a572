"""The package finds its schemas where it is installed and names variants precisely."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import notify_schemas
from notify_schemas.registry import schema_root

SEED_EVENT_TYPES = {
    "image.create",
    "image.prepare",
    "image.upload",
    "image.activate",
    "image.send",
    "image.update",
    "image.delete",
    "task.run",
    "task.processing",
    "task.success",
    "task.failure",
}
GLANCE_METADEF_EVENT_TYPES = {
    "metadef_namespace.create",
    "metadef_namespace.update",
    "metadef_namespace.delete",
    "metadef_namespace.delete_objects",
    "metadef_namespace.delete_properties",
    "metadef_namespace.delete_tags",
    "metadef_object.create",
    "metadef_object.update",
    "metadef_object.delete",
    "metadef_property.create",
    "metadef_property.update",
    "metadef_property.delete",
    "metadef_resource_type.create",
    "metadef_resource_type.delete",
    "metadef_tag.create",
    "metadef_tag.update",
    "metadef_tag.delete",
}


def test_seed_profile_is_every_documented_event_at_every_priority() -> None:
    found = {(v.event_type, v.priority) for v in notify_schemas.variants("seed")}
    assert found == {(e, p) for e in SEED_EVENT_TYPES for p in ("INFO", "WARN", "ERROR")}


def test_glance_profile_has_the_events_glance_emits_at_the_priorities_it_uses() -> None:
    found = {(v.event_type, v.priority) for v in notify_schemas.variants("glance")}
    errors = {("image.upload", "ERROR"), ("image.send", "ERROR")}
    assert errors < found
    assert {p for _, p in found} == {"INFO", "ERROR"}
    assert {e for e, _ in found} == (
        SEED_EVENT_TYPES
        | GLANCE_METADEF_EVENT_TYPES
        | {"image.member.create", "image.member.update", "image.member.delete", "task.create", "task.delete"}
    )


def test_installed_package_reads_its_own_copy_not_the_source_tree() -> None:
    source_tree = (Path(__file__).parent.parent / "schemas").resolve()
    installed = Path(str(schema_root())).resolve()
    assert installed != source_tree
    assert source_tree not in installed.parents
    assert (schema_root() / "envelope.json").is_file()


def test_unknown_event_type_names_the_closest_known_one() -> None:
    with pytest.raises(notify_schemas.UnknownVariantError, match=r"did you mean 'image\.upload'") as info:
        notify_schemas.variant("image.uplod", "INFO")
    assert "known event types: image.activate, image.create" in str(info.value)
    assert "\n" not in str(info.value)


def _pairs(profile: str) -> set[tuple[str, str]]:
    return {(v.event_type, v.priority) for v in notify_schemas.variants(profile)}


def _only_in(profile: str) -> list[tuple[str, str, str]]:
    """Each variant of ``profile`` that another profile lacks, with that other profile."""
    return [(other, *pair) for other in notify_schemas.PROFILES if other != profile
            for pair in sorted(_pairs(profile) - _pairs(other))]  # fmt: skip


OTHER_PROFILES_VARIANTS = [(asked, *rest, owner) for owner in notify_schemas.PROFILES
                           for asked, *rest in _only_in(owner)]  # fmt: skip


@pytest.mark.parametrize(("asked", "event_type", "priority", "owner"), OTHER_PROFILES_VARIANTS)
def test_a_variant_of_another_profile_names_that_profile_not_a_close_name(
    asked: str, event_type: str, priority: str, owner: str
) -> None:
    # variant("image.member.create", "INFO") in seed said "did you mean 'image.create'?", which is another event.
    with pytest.raises(notify_schemas.UnknownVariantError) as info:
        notify_schemas.variant(event_type, priority, profile=asked)
    assert f"in profile {asked!r} (profile {owner!r} has it);" in str(info.value)
    assert "did you mean" not in str(info.value)
    assert info.value.elsewhere == (owner,)


def test_an_event_type_of_another_profile_names_the_priorities_it_has_there() -> None:
    with pytest.raises(notify_schemas.UnknownVariantError) as info:
        notify_schemas.variant("image.member.create", "WARN")
    assert "(profile 'glance' has that event type, with priority INFO);" in str(info.value)
    assert info.value.elsewhere == ()


def test_lower_case_priority_is_told_to_use_upper_case() -> None:
    with pytest.raises(notify_schemas.UnknownVariantError, match=r"did you mean 'INFO'\? priorities are upper case"):
        notify_schemas.variant("image.create", "info")


def test_priority_the_profile_lacks_lists_the_ones_it_has() -> None:
    with pytest.raises(notify_schemas.UnknownVariantError, match=r"known priorities: ERROR, INFO$"):
        notify_schemas.variant("image.send", "WARN", profile="glance")


def test_unknown_profile_is_one_clear_error() -> None:
    with pytest.raises(notify_schemas.UnknownVariantError, match="known profiles: seed, glance"):
        notify_schemas.variants("nova")


def test_errors_share_one_base_class() -> None:
    assert issubclass(notify_schemas.UnknownVariantError, notify_schemas.NotifySchemasError)


def test_bundled_schema_is_the_variants_standalone_file() -> None:
    v = notify_schemas.variant("image.create", "INFO")
    assert notify_schemas.bundled_schema(v)["$id"] == notify_schemas.BASE_URI + "bundled/seed/image.create.INFO.json"


def test_a_package_without_schemas_says_so_instead_of_knowing_no_variant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = sys.modules["notify_schemas.registry"]  # the package attribute of that name is the registry() function
    monkeypatch.setattr(module, "schema_root", lambda: tmp_path)
    module._variants.cache_clear()
    try:
        with pytest.raises(notify_schemas.NotifySchemasError, match="no schemas of profile 'seed'"):
            module.variants("seed")
    finally:
        module._variants.cache_clear()
