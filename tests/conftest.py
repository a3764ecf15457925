"""Shared fixtures. One embedded Ray serves the whole test session (started lazily by the first
test that needs it); tests that need a real cluster start and stop their own."""
import pytest

from byzer_kernel.engine import Session


@pytest.fixture
def session(tmp_path, monkeypatch):
    """A fresh engine Session whose relative paths resolve under a temporary BYZER_HOME."""
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    s = Session(home=str(tmp_path))
    yield s
    s.close()
