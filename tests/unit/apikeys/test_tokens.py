"""The shape of a key: what ``mint`` makes, ``split`` takes apart, and nothing else it accepts."""

from hypothesis import given, settings
from hypothesis import strategies as st

from yabot_core.apikeys import tokens

HEX_ID = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)
SECRET = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=43, max_size=43
)


def test_a_minted_key_splits_into_its_id_and_secret() -> None:
    """``split`` returns the id ``mint`` gave, and a secret whose hash is the one to keep."""
    for _ in range(50):
        minted = tokens.mint()
        presented = tokens.split(minted.token)
        assert presented is not None
        assert presented.key_id == minted.key_id
        assert minted.token == f"{tokens.PREFIX}{presented.key_id}_{presented.secret}"
        assert tokens.secret_matches(presented.secret, minted.secret_hash)
        assert len(minted.token) <= tokens.MAX_TOKEN_LENGTH


@settings(max_examples=200)
@given(key_id=HEX_ID, secret=SECRET)
def test_every_well_shaped_token_round_trips(key_id: str, secret: str) -> None:
    """Any 16 lower-case hex digits and 43 url-safe characters make a token ``split`` gives back."""
    presented = tokens.split(f"yb_{key_id}_{secret}")
    assert presented == tokens.Presented(key_id, secret)
    assert tokens.secret_matches(secret, tokens.hash_secret(secret))


@settings(max_examples=60)  # drawing 10,000-character texts is what costs: 60 cover both kinds well
@given(text=st.text(max_size=200) | st.text(min_size=10_000, max_size=10_100))
def test_split_never_raises(text: str) -> None:
    """Arbitrary text is split or refused with ``None``, never an exception; what splits is well shaped."""
    presented = tokens.split(text)
    if presented is not None:
        assert text == f"yb_{presented.key_id}_{presented.secret}"


@settings(max_examples=200)
@given(secret=SECRET, other=SECRET)
def test_only_the_right_secret_matches(secret: str, other: str) -> None:
    """A secret matches its own hash and no other secret's."""
    assert tokens.secret_matches(secret, tokens.hash_secret(secret))
    assert tokens.secret_matches(other, tokens.hash_secret(secret)) == (other == secret)
