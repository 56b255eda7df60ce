"""Password hashing with Argon2id (argon2-cffi), and the rules a new password must meet."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from zxcvbn import zxcvbn

from i18n import Problem
from server.accounts.hash_pool import bounded

_hasher = PasswordHasher()  # library defaults follow RFC 9106's second recommended option
# Verifying against this when the user does not exist keeps response times alike (no user enumeration).
_DUMMY = _hasher.hash("not-a-real-password-but-same-cost")

MIN_LENGTH, MAX_LENGTH = 10, 256
MIN_SCORE, ZXCVBN_MAX = 3, 72   # zxcvbn 3: "safely unguessable" (≈10^8 guesses), as its authors recommend
# Words of this system a password must not be built from (with the user's own name and username).
SITE_WORDS = ("jinan", "anquan", "yingji", "zhifa", "jiancha", "admin", "inspector", "supervisor")


def check_strength(password: str, user_inputs: tuple = ()) -> None:
    """Length, then zxcvbn (Dropbox's estimator with its lists of common passwords, names, keyboard runs
    and repeats, pinned in requirements.txt): anything it scores below MIN_SCORE is refused. Only the first
    72 characters are scored (zxcvbn's limit); a longer passphrase is judged by its start."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise Problem("account.password_short", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise Problem("account.password_long", max=MAX_LENGTH)
    inputs = [str(v)[:64] for v in user_inputs if v] + list(SITE_WORDS)
    if zxcvbn(password[:ZXCVBN_MAX], user_inputs=inputs)["score"] < MIN_SCORE:
        raise Problem("account.password_common")


def hash_password(password: str, user_inputs: tuple = ()) -> str:
    check_strength(password, user_inputs)
    return bounded(_hasher.hash, password)


def verify(stored_hash: str | None, password: str) -> bool:
    if not isinstance(password, str) or len(password) > MAX_LENGTH:
        return False
    try:
        # in the bounded pool (server/accounts/hash_pool.py): failed sign-ins cannot take every core
        return bounded(_hasher.verify, stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
