"""Parser profiles: versioned, named readers that turn one raw file into articles.

A profile is registered under a versioned name (``donga_wordpress_v1``) and chosen by the
source registry, never by branching on a source name in core code. A new site format is a
new profile module plus golden tests; a new outlet using a known format is a registry line.
"""

from __future__ import annotations

from newscorpus.errors import RejectError
from newscorpus.read.profiles.base import (
    REGISTRY,
    Article,
    OptionsCheck,
    PartRejected,
    Profile,
    ProfileReader,
    no_options,
    register_profile,
)

__all__ = [
    "Article",
    "OptionsCheck",
    "PartRejected",
    "Profile",
    "ProfileReader",
    "available_profiles",
    "get_profile",
    "no_options",
    "register_profile",
]


def get_profile(name: str) -> Profile:
    """Return the profile registered under `name`; RejectError `unknown_profile` if none."""
    _load_builtin_profiles()
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY)) or "none"
        raise RejectError("unknown_profile", f"no profile {name!r} (known: {known})") from None


def available_profiles() -> list[Profile]:
    """Return every registered profile, sorted by name."""
    _load_builtin_profiles()
    return [REGISTRY[name] for name in sorted(REGISTRY)]


def _load_builtin_profiles() -> None:
    # Imported lazily so that importing this package never pulls optional dependencies
    # (an HTML profile's extractor, say) into processes that do not need them.
    from newscorpus.read.profiles import (  # noqa: F401
        donga_wordpress,
        html,
        jsonl,
        plaintext,
        warc,
    )
