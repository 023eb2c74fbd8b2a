import numpy as np
import pytest

from rnn_keras.claims import ClaimError
from rnn_keras.claims import claim


def test_a_true_claim_prints_its_numbers(capsys):
    assert claim(0.87 > 0.09 + 0.5, "the model beats the majority class", accuracy=0.8731,
                 baseline=np.float32(0.0871), n=2000) is None
    out = capsys.readouterr().out
    assert out == ("CLAIM \u2713 the model beats the majority class "
                   "(accuracy=0.8731, baseline=0.0871, n=2,000)\n")


def test_a_false_claim_fails_with_the_statement_and_numbers(capsys):
    with pytest.raises(ClaimError, match=r"no longer holds.*attention helps \(gain=-0\.01\)"):
        claim(np.bool_(False), "attention helps", gain=-0.01)
    assert capsys.readouterr().out == ""


def test_statement_is_required():
    with pytest.raises(ValueError, match="non-empty statement"):
        claim(True, " ")
