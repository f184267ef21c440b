"""Bearer tokens and the principal they name."""

from __future__ import annotations

import time

import jwt
import pytest
from pmo_common.auth.principal import Principal
from pmo_common.auth.tokens import InvalidToken, TokenVerifier, mint_dev_token

SECRET = "unit-test-secret-0123456789abcdef-xyz"


async def test_a_minted_token_verifies_to_its_principal() -> None:
    token = mint_dev_token(
        secret=SECRET, sub="u-1", email="Ann@Example.org", roles=["project_manager"]
    )
    principal = await TokenVerifier(secret=SECRET).verify(token)
    assert principal == Principal("u-1", "Ann@Example.org", frozenset({"project_manager"}))


async def test_an_expired_token_is_invalid() -> None:
    token = mint_dev_token(secret=SECRET, sub="u-1", email=None, roles=[], ttl_seconds=-60)
    with pytest.raises(InvalidToken, match="expired"):
        await TokenVerifier(secret=SECRET).verify(token)


async def test_a_token_signed_with_another_secret_is_invalid() -> None:
    token = mint_dev_token(secret=SECRET + "-other", sub="u-1", email=None, roles=[])
    with pytest.raises(InvalidToken):
        await TokenVerifier(secret=SECRET).verify(token)


async def test_garbage_is_invalid() -> None:
    with pytest.raises(InvalidToken):
        await TokenVerifier(secret=SECRET).verify("not.a.token")


async def test_a_token_without_expiry_is_invalid() -> None:
    token = jwt.encode({"sub": "u-1", "roles": []}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="exp"):
        await TokenVerifier(secret=SECRET).verify(token)


async def test_an_unsigned_token_is_invalid() -> None:
    claims = {"sub": "u-1", "roles": ["pmo_admin"], "exp": int(time.time()) + 60}
    token = jwt.encode(claims, "", algorithm="none")
    with pytest.raises(InvalidToken):
        await TokenVerifier(secret=SECRET).verify(token)


def token(*, issuer: str | None = None, audience: str | None = None) -> str:
    """A valid token for subject u, with these issuer and audience claims (none by default)."""
    return mint_dev_token(
        secret=SECRET, sub="u", email=None, roles=[], issuer=issuer, audience=audience
    )


async def accepts_only(verifier: TokenVerifier, good: str, *, refused: list[str]) -> None:
    """The verifier accepts `good` and refuses each token of `refused`."""
    assert (await verifier.verify(good)).subject == "u"
    for refused_token in refused:
        with pytest.raises(InvalidToken):
            await verifier.verify(refused_token)


async def test_the_issuer_is_checked_when_configured() -> None:
    verifier = TokenVerifier(secret=SECRET, issuer="https://idp.pmo")
    wrong, missing = token(issuer="https://evil"), token()
    await accepts_only(verifier, token(issuer="https://idp.pmo"), refused=[wrong, missing])


async def test_the_audience_is_checked_when_configured() -> None:
    verifier = TokenVerifier(secret=SECRET, audience="pmo-api")
    wrong, missing = token(audience="billing"), token()
    await accepts_only(verifier, token(audience="pmo-api"), refused=[wrong, missing])


async def test_unknown_roles_are_dropped() -> None:
    token = mint_dev_token(
        secret=SECRET, sub="u", email=None, roles=["pmo_admin", "superuser", "root"]
    )
    assert (await TokenVerifier(secret=SECRET).verify(token)).roles == {"pmo_admin"}


async def test_roles_that_are_not_a_list_of_strings_are_invalid() -> None:
    claims = {"sub": "u", "roles": "pmo_admin", "exp": int(time.time()) + 60}
    with pytest.raises(InvalidToken, match="roles"):
        await TokenVerifier(secret=SECRET).verify(jwt.encode(claims, SECRET, algorithm="HS256"))


async def test_a_token_without_roles_names_a_principal_without_roles() -> None:
    claims = {"sub": "svc", "exp": int(time.time()) + 60}
    principal = await TokenVerifier(secret=SECRET).verify(
        jwt.encode(claims, SECRET, algorithm="HS256")
    )
    assert principal.roles == frozenset()
    assert principal.email is None


def test_manages_compares_emails_case_insensitively() -> None:
    principal = Principal("u", "Ann.Lee@Example.ORG", frozenset({"project_manager"}))
    assert principal.manages("ann.lee@example.org")
    assert not principal.manages("bob@example.org")
    assert not principal.manages(None)
    assert not Principal("u", None, frozenset()).manages("ann.lee@example.org")


@pytest.mark.parametrize(
    ("roles", "sees_everything"),
    [
        ({"pmo_admin"}, True),
        ({"portfolio_manager"}, True),
        ({"viewer"}, True),
        ({"service"}, True),
        ({"project_manager"}, False),
        (set(), False),
    ],
)
def test_who_sees_every_project(roles: set[str], sees_everything: bool) -> None:
    assert Principal("u", None, frozenset(roles)).sees_everything is sees_everything


def test_has_any_role() -> None:
    principal = Principal("u", None, frozenset({"viewer"}))
    assert principal.has_any_role("pmo_admin", "viewer")
    assert not principal.has_any_role("pmo_admin")
