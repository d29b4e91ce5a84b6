"""Issue and check API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, cast

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from llrc.accounts.models import ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: AbstractBaseUser, *, name: str) -> str:
    """Create a token for `user` and return it; it is shown once and stored only as a hash."""
    raw = "llrc_" + secrets.token_urlsafe(32)
    # The token's user is a key to AUTH_USER_MODEL, the one user class there is; the stubs call it User.
    ApiToken.objects.create(user=cast("User", user), name=name, token_hash=_hash(raw))
    return raw


def user_for_token(raw: str) -> AbstractBaseUser | None:
    token = ApiToken.objects.select_related("user").filter(token_hash=_hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user
