"""simplejwt, hardened against well-signed tokens with malformed claims.

simplejwt hands claims to the database and to datetime as they are; a token with a
user id of "abc" or true, or an expiry beyond datetime's range, must be an invalid
token (401), not a server error or another user's session.
"""

import functools
import re

import jwt
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import aware_utcnow

from . import auth_cache

USER_ID_MAX = 2**63 - 1
# simplejwt writes 32 hexadecimal digits; the blacklist column holds 255 characters.
JTI = re.compile(r"[A-Za-z0-9_-]{1,255}")
# Access tokens verified in this process: about as many as the users active in 15
# minutes on one worker, a kilobyte each.
VERIFIED_TOKENS = 4096


def user_id_claim(token) -> int:
    """The token's user id; TokenError unless it is a plain positive integer."""
    value = token.get(api_settings.USER_ID_CLAIM)
    if isinstance(value, str) and value.isascii() and value.isdecimal():
        value = int(value) if len(value) <= len(str(USER_ID_MAX)) else None
    if type(value) is not int or not 0 < value <= USER_ID_MAX:
        raise TokenError("Token contained no recognizable user identification")
    return value


def read_token(token_class, raw_token):
    """A token object; TokenError for claims a well-made token cannot have.

    The token id (jti) is looked up in and written to the blacklist tables before
    anything else, so it is checked first, on the unverified payload.
    """
    try:
        payload = jwt.decode(raw_token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise TokenError("Token is invalid") from error
    jti = payload.get(api_settings.JTI_CLAIM) if isinstance(payload, dict) else None
    if not isinstance(jti, str) or not JTI.fullmatch(jti):
        raise TokenError("Token has no valid id")
    try:
        return token_class(raw_token)
    except (OverflowError, ValueError, TypeError, KeyError) as error:
        raise TokenError("Token is invalid") from error


@functools.lru_cache(maxsize=VERIFIED_TOKENS)
def verified_token(raw_token: bytes):
    """The token, its signature and claims checked; only valid tokens are kept.

    Checking a signature and decoding the claims cost more than the rest of an
    authenticated read. A token's bytes always say the same thing, so a token seen
    before needs only its expiry checked again.
    """
    try:
        return authentication.JWTAuthentication().get_validated_token(raw_token)
    except (OverflowError, ValueError, TypeError) as error:
        raise InvalidToken("Token is invalid") from error


class JWTAuthentication(authentication.JWTAuthentication):
    def get_validated_token(self, raw_token):
        token = verified_token(raw_token)
        try:
            token.check_exp(current_time=aware_utcnow())
        except TokenError:
            # Expired since it was kept: the answer any expired token gets.
            return verified_token.__wrapped__(raw_token)
        return token

    def get_user(self, validated_token):
        try:
            user_id = user_id_claim(validated_token)
        except TokenError as error:
            raise InvalidToken(str(error)) from error
        user = auth_cache.cached_user(self.user_model, user_id)
        if user is None:
            # Checks that the user exists and is active; only such a user is cached.
            user = super().get_user(validated_token)
            auth_cache.remember_user(user)
        return user
