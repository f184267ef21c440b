"""Which e-mail domains someone other than a PMO admin may subscribe to.

The allow-list (`PMO_NOTIFICATIONS_ALLOWED_EMAIL_DOMAINS`) keeps project information inside the
company: a project or portfolio manager cannot have alerts mailed to a private or outside
address. Entries are matched label by label, never as substrings:

- `example.com` allows that domain only (`ada@example.com`, not `ada@eu.example.com`);
- `*.example.com` allows every subdomain of it (`ada@eu.example.com`), not the domain itself;
  list both to allow both.

An exact entry can never be widened by a subdomain someone else runs (a hosting tenant, a
partner's delegated zone); whoever wants subdomains says so with `*.`.
"""

from __future__ import annotations

from collections.abc import Collection

WILDCARD = "*."


def email_domain_allowed(domain: str, allowed: Collection[str]) -> bool:
    """Whether mail to `domain` is within the allow-list (an empty list allows any domain).

    `domain` and the entries are compared case-insensitively, without a trailing dot.
    """
    if not allowed:
        return True
    wanted = domain.strip().lower().rstrip(".")
    for entry in allowed:
        entry = entry.strip().lower().rstrip(".")
        if entry.startswith(WILDCARD):
            parent = entry.removeprefix(WILDCARD)
            if wanted.endswith(f".{parent}") and len(wanted) > len(parent) + 1:
                return True
        elif wanted == entry:
            return True
    return False


def outside_allowed_domains(domain: str | None, allowed: Collection[str]) -> str | None:
    """Why mail to `domain` is refused (`may only go to addresses at example.com (not
    evil.example)`), or None when it is within the allow-list or no mail domain applies."""
    if domain is None or email_domain_allowed(domain, allowed):
        return None
    return f"may only go to addresses at {allowed_domains_phrase(allowed)} (not {domain})"


def allowed_domains_phrase(allowed: Collection[str]) -> str:
    """The allow-list as people read it: `example.com or *.example.org`."""
    entries = list(allowed)
    if len(entries) <= 1:
        return "".join(entries)
    return f"{', '.join(entries[:-1])} or {entries[-1]}"
